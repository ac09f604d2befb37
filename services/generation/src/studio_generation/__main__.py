from studio_common.runtime import serve
from studio_generation.entrypoints.app import create_app
from studio_generation.settings import GenerationSettings

settings = GenerationSettings()
serve(create_app(settings), settings)
