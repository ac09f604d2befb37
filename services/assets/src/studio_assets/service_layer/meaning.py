"""Search by meaning, vectors kept current, and near-duplicate stacks, scoped to one user like the rest of
the library. Embeddings come from the shared models layer; without its files the library searches by
keyword only and the answer says so."""

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from studio_assets.adapters import embeddings
from studio_assets.adapters import repository as repo
from studio_assets.domain.meaning import embedding_text, hybrid, rank
from studio_assets.domain.search import AssetQuery
from studio_common import metrics
from studio_common.group_commit import GroupCommit
from studio_common.ids import utcnow
from studio_providers.models import embed as text_model

BACKFILL_BATCH = 256
EMBED_CALLS_TOGETHER = 16  # indexing calls whose texts share one model call (1-4 texts each)
UNAVAILABLE = (
    "search by meaning is unavailable (the text-embedding model files are absent): keyword search used"
)


async def _embed(texts: list[str]):
    return await metrics.model_work("embed", text_model.embed, texts)


async def _embed_together(groups: list[list[str]]) -> list[np.ndarray]:
    vectors = await _embed([text for texts in groups for text in texts])
    return np.split(vectors, np.cumsum([len(texts) for texts in groups])[:-1])


# One per event loop: a batch's futures and its drain task belong to the loop that made them.
_side_by_side: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def vectors_for(texts: list[str]) -> np.ndarray:
    """Vectors of these texts. Handlers indexing side by side share one model call: texts asked for while
    a call runs go together in the next (a batch of 8 short texts costs ~30% less per text than 8 calls)."""
    loop = asyncio.get_running_loop()
    if (together := _side_by_side.get(loop)) is None:
        together = _side_by_side[loop] = GroupCommit(_embed_together, _embed, EMBED_CALLS_TOGETHER)
    return await together.run(texts)


async def store_vectors(session: AsyncSession, user_id: str, assets: Sequence[dict]) -> None:
    """Embed (title, prompt, tags) of these assets and save their vectors; nothing without the model."""
    if not assets or not text_model.available():
        return
    vectors = await vectors_for(
        [embedding_text(a["title"], a["prompt"], a.get("tags") or []) for a in assets]
    )
    rows = [(a["id"], user_id, text_model.MODEL_ID, v) for a, v in zip(assets, vectors, strict=True)]
    await embeddings.save(session, rows, utcnow())


async def _backfill(session: AsyncSession, user_id: str) -> None:
    """Assets indexed before they had vectors get them at their owner's first search by meaning."""
    while found := await embeddings.missing(session, user_id, BACKFILL_BATCH):
        tags = await repo.tags_of(session, [a["id"] for a in found])
        await store_vectors(session, user_id, [{**a, "tags": tags.get(a["id"], [])} for a in found])


async def search(session: AsyncSession, query: AssetQuery, mode: str) -> dict:
    term = query.search_term
    if term is None or mode == "keyword" or not text_model.available():
        items, total = await repo.find(session, query)
        answer = {
            "items": items,
            "total": total,
            "page": query.page,
            "page_size": query.page_size,
            "search_mode": "keyword" if term else None,
        }
        if term and mode != "keyword":
            answer["search_note"] = UNAVAILABLE
        return answer
    await _backfill(session, query.user_id)
    vectors = await embeddings.for_user(session, query.user_id, text_model.MODEL_ID)
    close = rank(vectors.ids, vectors.matrix, (await _embed([term]))[0]) if vectors.ids else []
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
