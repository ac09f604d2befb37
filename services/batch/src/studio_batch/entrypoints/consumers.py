"""The batch queue: operation events that carry a batch id move that batch's rows."""

from functools import partial

from studio_common.events import Envelope, OperationRequested
from studio_common.runtime import ServiceRuntime


HANDLERS: dict = {}


def register(runtime: ServiceRuntime) -> None:
    def consumer(handler):
        async def consume(envelope: Envelope) -> None:
            if envelope.data.batch_id is None:
                return  # not a batch row: nothing of ours
            await runtime.handle_once(envelope, partial(_call, handler, envelope))
        return consume

    if HANDLERS:
        runtime.bus.subscribe("batch", {event: consumer(handler) for event, handler in HANDLERS.items()})
    runtime.bus.document_publishes(OperationRequested)


async def _call(handler, envelope: Envelope, session):
    return await handler(session, envelope.data)
