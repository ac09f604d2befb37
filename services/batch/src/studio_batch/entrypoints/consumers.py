"""The batch queue: operation events that carry a batch id move that batch's rows; the window releases
rows and ended batches release their holds in background loops."""

from studio_batch.adapters.billing import BillingClient
from studio_batch.service_layer import dispatch, runs, settlement, tracking
from studio_common.events import (
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
    OperationStarted,
)
from studio_common.runtime import ServiceRuntime

# Not operation.approved: the worker's operation.started follows it, one event fewer per row to handle.
HANDLERS = {
    OperationStarted: tracking.on_operation_event,
    OperationCompleted: tracking.on_operation_event,
    OperationFailed: tracking.on_operation_event,
    OperationRejected: tracking.on_operation_event,
    OperationCanceled: tracking.on_operation_event,
    OperationExpired: tracking.on_operation_event,
    OperationSettled: tracking.on_settled,
}


def register(runtime: ServiceRuntime, billing: BillingClient) -> None:
    # The broker routes only batch operations' events here; `only` still checks each one.
    runtime.consume("batch", HANDLERS, only=lambda event: event.batch_id is not None, batch_only=True)
    runtime.bus.document_publishes(OperationRequested, OperationCancelRequested)
    settings = runtime.settings

    async def release_rows() -> None:
        await dispatch.release_now(runtime, settings.dispatch_per_tick)

    async def release_holds() -> None:
        await settlement.release_ended(runtime, billing)

    async def start_runs() -> None:
        await runs.start_fired_runs(runtime, billing)

    runtime.every(settings.dispatch_interval_seconds, release_rows)
    runtime.every(settings.settle_interval_seconds, release_holds)
    runtime.every(settings.settle_interval_seconds, start_runs)
