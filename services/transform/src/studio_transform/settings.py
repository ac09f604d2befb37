from studio_providers.setup import WorkerSettings


class TransformSettings(WorkerSettings):
    service_name: str = "transform"
    http_port: int = 8085
    prefetch: int = 2  # video encoding is CPU-heavy: a few at a time per replica
