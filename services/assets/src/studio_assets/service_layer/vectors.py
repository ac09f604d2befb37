"""Vectors for search by meaning, kept current: made for new assets after indexing, in batches
(`embed_pending`), for an asset renamed or retagged at once (`store_vectors`), and for whatever a user's
search finds still missing (`backfill`). Apart from a rename's one text, no model call runs inside a
transaction: on SQLite a transaction holds the one writer connection, and indexing waits behind it."""

import logging
from collections.abc import Sequence
from datetime import datetime

from studio_assets.adapters import embeddings
from studio_assets.adapters import repository as repo
from studio_assets.domain.meaning import embedding_text
from studio_common import metrics
from studio_common.db import Executor
from studio_common.ids import utcnow
from studio_common.runtime import ServiceRuntime
from studio_providers.models import embed as text_model

log = logging.getLogger(__name__)
BACKFILL_BATCH = 256
EMBED_BATCH = 64  # texts per model call when making the vectors of newly indexed assets
Row = tuple[str, str, str, object]  # (asset_id, user_id, model, vector)


async def embed(texts: list[str]):
    return await metrics.model_work("embed", text_model.embed, texts)


async def queue_vectors(session: Executor, asset_ids: Sequence[str], now: datetime) -> None:
    """New assets get their vectors from `embed_pending`; without the model there is nothing to make."""
    if text_model.available():
        await embeddings.queue(session, asset_ids, now)


async def embed_pending(runtime: ServiceRuntime) -> int:
    """Make the vectors of assets waiting for one, a batch per model call; answers how many waited.
    Replicas may take the same batch: a vector already there is kept, so that costs only the duplicate
    model call."""
    waited = 0
    while text_model.available():
        async with runtime.reading() as session:
            batch = await embeddings.take_pending(session, EMBED_BATCH)
            to_embed = [asset for asset in batch if not asset["has_vector"]]
            tags = await repo.tags_of(session, [asset["id"] for asset in to_embed])
        if not batch:
            return waited
        rows, _ = await _vectors_of(to_embed, tags)
        async with runtime.transaction() as session:
            await embeddings.fill(session, rows, [asset["id"] for asset in batch], utcnow())
        waited += len(batch)
    return waited


async def backfill(runtime: ServiceRuntime, user_id: str) -> None:
    """The user's assets without a vector (indexed before search by meaning existed, or not reached by the
    embedder yet) get one before their owner's search ranks. A text the model refuses is left without one
    (the search answers from the rest; the next search tries it again)."""
    refused: set[str] = set()
    while True:
        async with runtime.reading() as session:
            found = await embeddings.missing(session, user_id, BACKFILL_BATCH, excluding=refused)
            tags = await repo.tags_of(session, [asset["id"] for asset in found])
        if not found:
            return
        rows, refused_now = await _vectors_of(found, tags)
        refused |= refused_now
        async with runtime.transaction() as session:
            await embeddings.fill(session, rows, (), utcnow())


async def store_vectors(session: Executor, user_id: str, assets: Sequence[dict]) -> None:
    """Replace the vectors of assets whose meaning changed (a rename, new tags), in their transaction. One
    the model refuses loses its vector: the old one no longer says what the asset is."""
    if not assets or not text_model.available():
        return
    owned = [{**asset, "user_id": user_id} for asset in assets]
    rows, refused = await _vectors_of(owned, {asset["id"]: asset.get("tags") or [] for asset in assets})
    await embeddings.save(session, rows, utcnow())
    await embeddings.remove(session, refused)


async def _vectors_of(assets: Sequence[dict], tags: dict[str, list[str]]) -> tuple[list[Row], set[str]]:
    """The vector rows of these assets (id, user_id, title, prompt) and the ids whose text was refused."""
    texts = [embedding_text(a["title"], a["prompt"], tags.get(a["id"], [])) for a in assets]
    vectors = await _each_if_together_fails(texts)
    made = [
        (a["id"], a["user_id"], text_model.MODEL_ID, v)
        for a, v in zip(assets, vectors, strict=True)
        if v is not None
    ]
    return made, {a["id"] for a, v in zip(assets, vectors, strict=True) if v is None}


async def _each_if_together_fails(texts: list[str]) -> list:
    """The texts' vectors from one model call; if that call fails, from one call per text, so that a text
    the model refuses (None) does not hold back the others."""
    if not texts:
        return []
    try:
        return list(await embed(texts))
    except Exception:
        log.exception("embedding %d texts together failed; embedding them one by one", len(texts))
    vectors = []
    for text in texts:
        try:
            vectors.append((await embed([text]))[0])
        except Exception:
            log.exception("no vector for a text of %d characters", len(text))
            vectors.append(None)
    return vectors
