from studio_common.service_app import serve
from studio_editing.entrypoints.app import create_app
from studio_editing.settings import EditingSettings

settings = EditingSettings()
serve(create_app(settings), settings)
