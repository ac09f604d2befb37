from studio_providers.setup import WorkerSettings


class EditingSettings(WorkerSettings):
    service_name: str = "editing"
    http_port: int = 8084
    prefetch: int = 4
