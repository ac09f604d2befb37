from studio_billing.entrypoints.app import create_app
from studio_billing.settings import BillingSettings
from studio_common.service_app import serve

settings = BillingSettings()
serve(create_app(settings), settings)
