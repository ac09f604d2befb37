"""The gateway folds every operation event into its read model (shared durable queue), and each replica
hears every event on its own exclusive queue so that whichever replica holds a client's SSE stream wakes."""

from studio_common.events import (
    Envelope,
    OperationApproved,
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationProgress,
    OperationRejected,
    OperationRequested,
    OperationSettled,
    OperationStarted,
)
from studio_common.ids import new_id
from studio_common.runtime import ServiceRuntime
from studio_gateway.adapters.live import LiveHub
from studio_gateway.service_layer.operations import apply_event

READ_MODEL_EVENTS = (
    OperationApproved,
    OperationRejected,
    OperationStarted,
    OperationProgress,
    OperationCompleted,
    OperationFailed,
    OperationCanceled,
    OperationExpired,
    OperationSettled,
)


def register(runtime: ServiceRuntime, hub: LiveHub) -> None:
    def wake_streams(envelope: Envelope) -> None:
        hub.notify(envelope.subject)

    # Folds touch only their operation's row: a prefetch of them shares one transaction under load.
    runtime.consume(
        "gateway",
        dict.fromkeys(READ_MODEL_EVENTS, apply_event),
        dedupe=False,
        after_commit=wake_streams,
        together=True,
    )
    runtime.bus.document_publishes(OperationRequested, OperationCancelRequested)
    runtime.bus.subscribe_live(f"gateway.live.{new_id()[:12]}", READ_MODEL_EVENTS, hub.notify)
