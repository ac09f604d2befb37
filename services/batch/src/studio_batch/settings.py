from pydantic import Field

from studio_batch.schedule_notify_settings import NotificationSettings
from studio_common.settings import CommonSettings


class BatchSettings(CommonSettings, NotificationSettings):
    service_name: str = "batch"
    http_port: int = 8086
    internal_timeout_seconds: float = 10.0
    batch_max_rows: int = Field(
        10_000, description="the most rows one batch may hold (the gateway reads it too)"
    )
    default_concurrency: int = Field(
        4, description="rows of one batch in flight at once unless asked otherwise"
    )
    # The most rows of one batch in flight that each plan allows.
    plan_concurrency: dict[str, int] = Field(
        default_factory=lambda: {"free": 4, "basic": 8, "pro": 16, "enterprise": 32}
    )
    # Rows mostly go out when a row of the same batch ends (in that event's transaction) or when a batch
    # starts or resumes; the timed pass catches the rest (restarts, a pass cut off by a crash).
    dispatch_interval_seconds: float = Field(1.0, description="how often the window releases rows")
    dispatch_per_tick: int = Field(200, description="the most rows released in one pass over all batches")
    settle_interval_seconds: float = Field(2.0, description="how often finished batches release their hold")
