from studio_batch.entrypoints.app import create_app
from studio_batch.settings import BatchSettings
from studio_common.service_app import serve

settings = BatchSettings()
serve(create_app(settings), settings)
