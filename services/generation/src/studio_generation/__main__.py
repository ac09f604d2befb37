from studio_common.service_app import serve
from studio_generation.entrypoints.app import create_app
from studio_generation.settings import GenerationSettings

settings = GenerationSettings()
serve(create_app(settings), settings)
