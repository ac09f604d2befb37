"""The assets queue: every completed operation, of every domain, is indexed once; the vectors of what was
indexed are made after, in batches."""

import functools

from prometheus_client import Gauge

from studio_assets.adapters import embeddings
from studio_assets.service_layer import indexing, vectors
from studio_common.events import AssetIndexed, OperationCompleted
from studio_common.ids import as_utc, utcnow
from studio_common.runtime import ServiceRuntime

HANDLERS = {OperationCompleted: indexing.on_completed}
EMBED_EVERY_SECONDS = 1.0  # a search meanwhile makes the vectors it needs itself (vectors.backfill)
VECTORS_WAITING = Gauge("studio_vectors_waiting", "Indexed assets waiting for their search-by-meaning vector")
OLDEST_VECTOR_WAIT = Gauge(
    "studio_vectors_oldest_wait_seconds", "How long the oldest asset waiting for its vector has waited"
)


def register(runtime: ServiceRuntime) -> None:
    # Indexing writes only rows of the operation it indexes, so completions that arrive together can
    # share one transaction (docs/architecture.md, group commit).
    runtime.consume("assets", HANDLERS, together=True)
    runtime.every(EMBED_EVERY_SECONDS, functools.partial(vectors.embed_pending, runtime))
    runtime.every(5, functools.partial(count_waiting_vectors, runtime))
    runtime.bus.document_publishes(AssetIndexed)


async def count_waiting_vectors(runtime: ServiceRuntime) -> None:
    async with runtime.reading() as session:
        count, oldest = await embeddings.backlog(session)
    VECTORS_WAITING.set(count)
    OLDEST_VECTOR_WAIT.set((utcnow() - as_utc(oldest)).total_seconds() if oldest else 0.0)
