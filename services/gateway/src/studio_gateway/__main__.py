from studio_common.service_app import serve
from studio_gateway.entrypoints.app import create_app
from studio_gateway.settings import GatewaySettings

settings = GatewaySettings()
serve(create_app(settings), settings)
