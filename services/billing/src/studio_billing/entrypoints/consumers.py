"""Billing's queue and the handler registered for each event it consumes; the dead-letter queues of
every service; and the sweeper."""

from prometheus_client import Gauge

from studio_billing.service_layer import dead_letters
from studio_billing.service_layer.handlers import Billing
from studio_billing.service_layer.work import Work
from studio_common.events import (
    OperationApproved,
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
)
from studio_common.runtime import ServiceRuntime

DEAD_LETTERS = Gauge(
    "studio_dead_letters",
    "Dead letters recorded, by queue and status (parked ones need an operator)",
    ["queue", "status"],
)


def register(runtime: ServiceRuntime, billing: Billing, work: Work) -> None:
    runtime.consume(
        "billing",
        {
            OperationRequested: billing.on_requested,
            OperationCompleted: billing.on_completed,
            OperationFailed: billing.on_failed,
            OperationExpired: billing.on_expired,
            OperationCancelRequested: billing.on_cancel_requested,
            OperationCanceled: billing.on_canceled,
        },
    )
    runtime.bus.document_publishes(
        OperationApproved,
        OperationRejected,
        OperationCanceled,
        OperationExpired,
        OperationFailed,
        OperationSettled,
    )
    runtime.every(runtime.settings.sweep_interval_seconds, lambda: runtime.in_transaction(work.sweep))

    async def on_dead_letter(queue: str, message) -> None:
        await runtime.in_transaction(
            lambda session: dead_letters.record(
                session, billing, queue, message.body, dict(message.headers or {}), message.message_id
            )
        )

    runtime.bus.subscribe_dead_letters(on_dead_letter)
    runtime.every(15, lambda: _count_dead_letters(runtime))


async def _count_dead_letters(runtime: ServiceRuntime) -> None:
    async with runtime.transaction() as session:
        counts = await dead_letters.counts(session)
    for (queue, status), count in counts.items():
        DEAD_LETTERS.labels(queue, status).set(count)
