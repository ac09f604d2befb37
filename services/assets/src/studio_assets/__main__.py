from studio_assets.entrypoints.app import create_app
from studio_assets.settings import AssetsSettings
from studio_common.service_app import serve

settings = AssetsSettings()
serve(create_app(settings), settings)
