"""The assets queue: every completed operation, of every domain, is indexed once; the vectors of what was
indexed are made after, in batches."""

import functools

from studio_assets.service_layer import indexing, meaning
from studio_common.events import AssetIndexed, OperationCompleted
from studio_common.runtime import ServiceRuntime

HANDLERS = {OperationCompleted: indexing.on_completed}
EMBED_EVERY_SECONDS = 1.0  # a search meanwhile makes the vectors it needs itself (meaning.search)


def register(runtime: ServiceRuntime) -> None:
    runtime.consume("assets", HANDLERS)
    runtime.every(EMBED_EVERY_SECONDS, functools.partial(meaning.embed_pending, runtime))
    runtime.bus.document_publishes(AssetIndexed)
