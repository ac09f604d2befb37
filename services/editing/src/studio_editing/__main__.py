from studio_common.runtime import serve
from studio_editing.entrypoints.app import create_app
from studio_editing.settings import EditingSettings

settings = EditingSettings()
serve(create_app(settings), settings)
