from studio_providers.setup import WorkerSettings


class GenerationSettings(WorkerSettings):
    service_name: str = "generation"
    http_port: int = 8082
