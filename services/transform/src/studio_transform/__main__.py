from studio_common.service_app import serve
from studio_transform.entrypoints.app import create_app
from studio_transform.settings import TransformSettings

settings = TransformSettings()
serve(create_app(settings), settings)
