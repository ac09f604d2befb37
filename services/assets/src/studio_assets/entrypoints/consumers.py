"""The assets queue: every completed operation, of every domain, is indexed once."""

from studio_assets.service_layer import indexing
from studio_common.events import AssetIndexed, Envelope, OperationCompleted
from studio_common.runtime import ServiceRuntime


def register(runtime: ServiceRuntime) -> None:
    async def on_completed(envelope: Envelope) -> None:
        async def work(session):
            return await indexing.on_completed(session, envelope.data)

        await runtime.handle_once(envelope, work)

    runtime.bus.subscribe("assets", {OperationCompleted: on_completed})
    runtime.bus.document_publishes(AssetIndexed)
