"""The batch service's internal API (`/internal/batches`, `/internal/batch-schedules`): a draft batch is
created, its validated rows sent in chunks, then sealed and confirmed."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The scope of the gateway's service token for a user's batches and schedules (studio_common.service_auth).
BATCHES = "batches"
MAX_ROWS_PER_CALL = 5000


class NewBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a user named in the body is refused, not silently ignored
    name: str = Field("", max_length=200)
    concurrency: int | None = Field(None, ge=1, le=64, description="rows in flight at once (default 4)")
    continue_on_error: bool = True
    schedule: dict[str, Any] | None = Field(None, description='{"at": ISO time} or {"cron", "timezone", ...}')
    notify: dict[str, Any] | None = Field(None, description='{"email": ..., "webhook_url": ...}')


class Row(BaseModel):
    """One row as the gateway validated it: the request to run, or the problems found, by field."""

    row_number: int = Field(ge=1)
    name: str = Field("", max_length=200)
    kind: str = Field("", max_length=64)
    request: dict[str, Any] | None = None
    errors: list[dict[str, str]] | None = None


class Rows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[Row] = Field(max_length=MAX_ROWS_PER_CALL)


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skip_invalid: bool = False
