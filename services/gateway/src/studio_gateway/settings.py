from pydantic import Field
from studio_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    service_name: str = "gateway"
    http_port: int = 8080
    assets_url: str = "http://127.0.0.1:8083"
    batch_url: str = "http://127.0.0.1:8086"
    batch_max_rows: int = Field(10_000, description="the most rows one batch may hold")
    batch_file_max_bytes: int = Field(64 * 1024 * 1024, description="the largest batch file or images ZIP")
    internal_timeout_seconds: float = 10.0
    max_upload_bytes: int = 25 * 1024 * 1024
    bulk_download_max_bytes: int = Field(512 * 1024 * 1024, description="the largest library ZIP one request builds")
    max_input_pixels: int = 40_000_000
    sse_heartbeat_seconds: float = 15.0
    sse_poll_seconds: float = 1.0
    idempotency_ttl_hours: int = Field(24, description="how long an Idempotency-Key replays its first answer")
