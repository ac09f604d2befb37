"""The event contract between services: one pydantic model per event, in a CloudEvents-style envelope.

Routing keys are `operation.<event>.<domain>` on the `studio.events` topic exchange, e.g.
`operation.approved.editing`. These models are published as the AsyncAPI document.
"""

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from studio_common.ids import new_id, utcnow

Domain = Literal["generation", "editing", "transform"]
FINAL_STATUSES = frozenset({"succeeded", "failed", "canceled", "rejected", "expired"})


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")
    event_type: ClassVar[str]

    operation_id: str
    user_id: str
    domain: Domain = "generation"
    batch_id: str | None = None
    batch_row: int | None = Field(None, description="the row of the batch this operation runs (1-based)")

    def routing_key(self) -> str:
        return f"{self.event_type}.{self.domain}"


class OperationRequest(EventData):
    """What the user asked for, with templates and presets already resolved to concrete parameters."""

    kind: str = Field(description="create, control.sketch, edit.inpaint, upscale.fast, transform.video, ...")
    provider: str
    model: str
    units: int = Field(1, ge=1, description="outputs (images) or seconds (video) to price")
    params: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, str] = Field(
        default_factory=dict, description="role -> storage key of an uploaded input"
    )
    source_asset_id: str | None = None


class OperationRequested(OperationRequest):
    event_type: ClassVar[str] = "operation.requested"
    type: Literal["operation.requested"] = "operation.requested"


class OperationApproved(OperationRequest):
    event_type: ClassVar[str] = "operation.approved"
    type: Literal["operation.approved"] = "operation.approved"
    hold_id: str
    credits: int
    unit_credits: int
    deadline: datetime = Field(description="the worker must start before this, or the operation expires")


class OperationRejected(EventData):
    event_type: ClassVar[str] = "operation.rejected"
    type: Literal["operation.rejected"] = "operation.rejected"
    reason: Literal["insufficient_credits", "quota_exceeded", "invalid_request"]
    message: str
    estimated_credits: int | None = None
    limit: int | None = None
    usage: int | None = None
    resets_at: datetime | None = None


class OperationStarted(EventData):
    event_type: ClassVar[str] = "operation.started"
    type: Literal["operation.started"] = "operation.started"
    provider: str
    model: str


class OperationProgress(EventData):
    event_type: ClassVar[str] = "operation.progress"
    type: Literal["operation.progress"] = "operation.progress"
    progress: float = Field(ge=0, le=1)
    message: str = ""


class OutputRef(BaseModel):
    index: int
    storage_key: str
    content_type: str
    width: int | None = None
    height: int | None = None
    bytes: int
    seed: int | None = None
    duration_seconds: float | None = None
    # What the worker saw in the output's pixels ("person", "2 faces", "transparent background", ...).
    tags: list[str] | None = None
    phash: str | None = Field(None, description="64-bit perceptual hash (16 hex digits) of an image")
    methods: dict[str, str] | None = Field(
        None, description='model or classical fall-back used per step, e.g. {"segmentation": "u2netp"}'
    )


class OperationCompleted(EventData):
    event_type: ClassVar[str] = "operation.completed"
    type: Literal["operation.completed"] = "operation.completed"
    kind: str
    provider: str
    model: str
    outputs: list[OutputRef]
    units_delivered: int
    units_failed: int = 0
    # Not produced because the user canceled while it ran: the operation ends `canceled` with these outputs.
    units_canceled: int = 0
    unit_credits: int = 0
    prompt: str = ""
    source_asset_id: str | None = None


class OperationFailed(EventData):
    event_type: ClassVar[str] = "operation.failed"
    type: Literal["operation.failed"] = "operation.failed"
    code: str
    message: str
    provider_charged: bool = False


class OperationCancelRequested(EventData):
    event_type: ClassVar[str] = "operation.cancel_requested"
    type: Literal["operation.cancel_requested"] = "operation.cancel_requested"


class OperationCanceled(EventData):
    event_type: ClassVar[str] = "operation.canceled"
    type: Literal["operation.canceled"] = "operation.canceled"
    reason: str = "canceled by the user"


class OperationExpired(EventData):
    event_type: ClassVar[str] = "operation.expired"
    type: Literal["operation.expired"] = "operation.expired"
    reason: str = "the hold timed out before a worker started the operation"


class OperationSettled(EventData):
    """Billing's final word on money: what was charged and what was released."""

    event_type: ClassVar[str] = "operation.settled"
    type: Literal["operation.settled"] = "operation.settled"
    charged_credits: int
    released_credits: int


class AssetIndexed(EventData):
    """An output of an operation is in the library as an asset, announced once per asset (its id derives
    from the operation id and output index). For services outside the studio (search indexing,
    notifications, analytics): no studio service consumes it."""

    event_type: ClassVar[str] = "asset.indexed"
    type: Literal["asset.indexed"] = "asset.indexed"
    asset_id: str
    output_index: int


AnyEventData = Annotated[
    OperationRequested
    | OperationApproved
    | OperationRejected
    | OperationStarted
    | OperationProgress
    | OperationCompleted
    | OperationFailed
    | OperationCancelRequested
    | OperationCanceled
    | OperationExpired
    | OperationSettled
    | AssetIndexed,
    Field(discriminator="type"),
]


class Envelope(BaseModel):
    """CloudEvents-style envelope; `subject` is the operation id, `traceparent` carries the trace."""

    specversion: str = "1.0"
    id: str = Field(default_factory=new_id)
    type: str
    source: str
    time: datetime = Field(default_factory=utcnow)
    subject: str
    traceparent: str | None = None
    data: AnyEventData

    @classmethod
    def wrap(cls, data: EventData, source: str, traceparent: str | None = None, event_id: str | None = None):
        return cls(
            id=event_id or new_id(),
            type=data.event_type,
            source=source,
            subject=data.operation_id,
            traceparent=traceparent,
            data=data,
        )

    @property
    def routing_key(self) -> str:
        return self.data.routing_key()
