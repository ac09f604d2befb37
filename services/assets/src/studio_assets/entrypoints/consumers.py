"""The assets queue: every completed operation, of every domain, is indexed once."""

from studio_assets.service_layer import indexing
from studio_common.events import AssetIndexed, OperationCompleted
from studio_common.runtime import ServiceRuntime

HANDLERS = {OperationCompleted: indexing.on_completed}


def register(runtime: ServiceRuntime) -> None:
    runtime.consume("assets", HANDLERS)
    runtime.bus.document_publishes(AssetIndexed)
