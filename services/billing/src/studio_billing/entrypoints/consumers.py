"""Billing's queue and the handler registered for each event it consumes."""

from functools import partial

from studio_billing.service_layer.handlers import Billing
from studio_common.events import (
    Envelope, OperationApproved, OperationCanceled, OperationCancelRequested, OperationCompleted, OperationExpired,
    OperationFailed, OperationRejected, OperationRequested, OperationSettled,
)
from studio_common.runtime import ServiceRuntime


def register(runtime: ServiceRuntime, billing: Billing) -> None:
    handlers = {
        OperationRequested: billing.on_requested,
        OperationCompleted: billing.on_completed,
        OperationFailed: billing.on_failed,
        OperationExpired: billing.on_expired,
        OperationCancelRequested: billing.on_cancel_requested,
        OperationCanceled: billing.on_canceled,
    }

    def consumer(handler):
        async def consume(envelope: Envelope) -> None:
            await runtime.handle_once(envelope, partial(_call, handler, envelope))
        return consume

    runtime.bus.subscribe("billing", {event: consumer(handler) for event, handler in handlers.items()})
    runtime.bus.document_publishes(OperationApproved, OperationRejected, OperationCanceled, OperationExpired,
                                   OperationFailed, OperationSettled)

    async def sweep() -> None:
        async with runtime.sessions() as session, session.begin():
            await runtime.emit(session, *await billing.expire_overdue(session))
        runtime.relay.wake()

    runtime.every(runtime.settings.sweep_interval_seconds, sweep)


async def _call(handler, envelope: Envelope, session):
    return await handler(session, envelope.data)
