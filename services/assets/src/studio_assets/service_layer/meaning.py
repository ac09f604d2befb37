"""Search by meaning, vectors kept current, and near-duplicate stacks, scoped to one user like the rest of
the library. Embeddings come from the shared models layer; without its files the library searches by
keyword only and the answer says so."""

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from studio_assets.adapters import embeddings
from studio_assets.adapters import repository as repo
from studio_assets.domain.meaning import embedding_text, hybrid, rank
from studio_assets.domain.search import AssetQuery
from studio_common import metrics
from studio_common.ids import utcnow
from studio_common.runtime import ServiceRuntime
from studio_providers.models import embed as text_model

log = logging.getLogger(__name__)
BACKFILL_BATCH = 256
EMBED_BATCH = 64  # texts per model call when making the vectors of newly indexed assets
UNAVAILABLE = (
    "search by meaning is unavailable (the text-embedding model files are absent): keyword search used"
)
TERM_REFUSED = "the text-embedding model could not read this search text: keyword search used"


async def _embed(texts: list[str]):
    return await metrics.model_work("embed", text_model.embed, texts)


async def queue_vectors(session: AsyncSession, asset_ids: Sequence[str], now: datetime) -> None:
    """New assets get their vectors from `embed_pending`; without the model there is nothing to make."""
    if text_model.available():
        await embeddings.queue(session, asset_ids, now)


async def embed_pending(runtime: ServiceRuntime) -> int:
    """Make the vectors of assets waiting for one, a batch per model call, none of it inside a transaction
    (the read and the write are each short); answers how many waited. Replicas may take the same batch:
    a vector already there is kept, so that costs only the duplicate model call."""
    waited = 0
    while text_model.available():
        async with runtime.reading() as session:
            batch = await embeddings.take_pending(session, EMBED_BATCH)
            to_embed = [asset for asset in batch if not asset["has_vector"]]
            tags = await repo.tags_of(session, [asset["id"] for asset in to_embed])
        if not batch:
            return waited
        texts = [embedding_text(a["title"], a["prompt"], tags.get(a["id"], [])) for a in to_embed]
        vectors = await _each_if_together_fails(texts)
        rows = [
            (a["id"], a["user_id"], text_model.MODEL_ID, v)
            for a, v in zip(to_embed, vectors, strict=True)
            if v is not None
        ]
        async with runtime.transaction() as session:
            await embeddings.fill(session, rows, [asset["id"] for asset in batch], utcnow())
        waited += len(batch)
    return waited


async def _each_if_together_fails(texts: list[str]) -> list:
    """The texts' vectors from one model call; if that call fails, from one call per text, so that a text
    the model refuses (None: its asset gets a vector at its owner's next search, or never) does not hold
    back the rest of the queue."""
    if not texts:
        return []
    try:
        return list(await _embed(texts))
    except Exception:
        log.exception("embedding %d texts together failed; embedding them one by one", len(texts))
    vectors = []
    for text in texts:
        try:
            vectors.append((await _embed([text]))[0])
        except Exception:
            log.exception("no vector for a text of %d characters; its asset stops waiting", len(text))
            vectors.append(None)
    return vectors


async def store_vectors(session: AsyncSession, user_id: str, assets: Sequence[dict]) -> set[str]:
    """Embed (title, prompt, tags) of these assets and save their vectors; nothing without the model.
    Answers the ids of texts the model refused: those assets are left without a vector (an older one no
    longer says what they are), and a later search tries them again."""
    if not assets or not text_model.available():
        return set()
    texts = [embedding_text(a["title"], a["prompt"], a.get("tags") or []) for a in assets]
    vectors = await _each_if_together_fails(texts)
    made = [(a, v) for a, v in zip(assets, vectors, strict=True) if v is not None]
    await embeddings.save(session, [(a["id"], user_id, text_model.MODEL_ID, v) for a, v in made], utcnow())
    refused = {a["id"] for a, v in zip(assets, vectors, strict=True) if v is None}
    await embeddings.remove(session, refused)
    return refused


async def _backfill(session: AsyncSession, user_id: str) -> None:
    """Assets without a vector (indexed before search by meaning existed, or not yet reached by the
    embedder) get one at their owner's search; the search answers from the rest if the model refuses
    some of their texts."""
    refused: set[str] = set()
    while found := await embeddings.missing(session, user_id, BACKFILL_BATCH, excluding=refused):
        tags = await repo.tags_of(session, [a["id"] for a in found])
        refused |= await store_vectors(
            session, user_id, [{**a, "tags": tags.get(a["id"], [])} for a in found]
        )


async def search(session: AsyncSession, query: AssetQuery, mode: str) -> dict:
    term = query.search_term
    if term is None or mode == "keyword":
        return await _by_keyword(session, query)
    if not text_model.available():
        return await _by_keyword(session, query, UNAVAILABLE)
    try:
        meaning_of_term = (await _embed([term]))[0]
    except Exception:
        log.exception("no vector for a search term of %d characters; keyword search used", len(term))
        return await _by_keyword(session, query, TERM_REFUSED)
    await _backfill(session, query.user_id)
    vectors = await embeddings.for_user(session, query.user_id, text_model.MODEL_ID)
    close = rank(vectors.ids, vectors.matrix, meaning_of_term) if vectors.ids else []
    allowed = await repo.matching_ids(
        session, replace(query, search=None), [asset_id for asset_id, _ in close]
    )
    close = [(asset_id, score) for asset_id, score in close if asset_id in allowed]
    ordered = [asset_id for asset_id, _ in close]
    if mode == "hybrid":
        ordered = hybrid(await repo.all_matching_ids(session, query), close)
    page = ordered[query.offset : query.offset + query.page_size]
    scores = dict(close)
    items = [
        {**asset, "score": round(scores[asset["id"]], 4) if asset["id"] in scores else None}
        for asset in await repo.by_ids(session, query.user_id, page)
    ]
    return {
        "items": items,
        "total": len(ordered),
        "page": query.page,
        "page_size": query.page_size,
        "search_mode": mode,
    }


async def _by_keyword(session: AsyncSession, query: AssetQuery, note: str | None = None) -> dict:
    items, total = await repo.find(session, query)
    answer = {
        "items": items,
        "total": total,
        "page": query.page,
        "page_size": query.page_size,
        "search_mode": "keyword" if query.search_term else None,
    }
    if note:
        answer["search_note"] = note
    return answer
