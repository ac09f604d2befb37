"""Search by meaning, scoped to one user like the rest of the library, read through the runtime's read
transactions (vectors.py keeps the vectors current). Without the model's files, or for a search text the
model refuses, the library searches by keyword and the answer says so."""

import logging
from dataclasses import replace

from studio_assets.adapters import embeddings
from studio_assets.adapters import repository as repo
from studio_assets.domain.meaning import hybrid, rank
from studio_assets.domain.search import AssetQuery
from studio_assets.service_layer import vectors
from studio_common.db import Executor
from studio_common.runtime import ServiceRuntime
from studio_providers.models import embed as text_model

log = logging.getLogger(__name__)
UNAVAILABLE = (
    "search by meaning is unavailable (the text-embedding model files are absent): keyword search used"
)
TERM_REFUSED = "the text-embedding model could not read this search text: keyword search used"


async def search(runtime: ServiceRuntime, query: AssetQuery, mode: str) -> dict:
    """A page of the user's assets for `query`: by keyword, by meaning, or keyword matches first and then
    by meaning (hybrid). Missing vectors are made first, in short write transactions of their own."""
    term, note = query.search_term, None
    if term is not None and mode != "keyword":
        if not text_model.available():
            note = UNAVAILABLE
        else:
            try:
                meaning_of_term = (await vectors.embed([term]))[0]
            except Exception:
                log.exception("no vector for a search text of %d characters; keyword search used", len(term))
                note = TERM_REFUSED
            else:
                await vectors.backfill(runtime, query.user_id)
                async with runtime.reading() as session:
                    return await _by_meaning(session, query, mode, meaning_of_term)
    async with runtime.reading() as session:
        return await _by_keyword(session, query, note)


async def _by_meaning(session: Executor, query: AssetQuery, mode: str, meaning_of_term) -> dict:
    found = await embeddings.for_user(session, query.user_id, text_model.MODEL_ID)
    close = rank(found.ids, found.matrix, meaning_of_term) if found.ids else []
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


async def _by_keyword(session: Executor, query: AssetQuery, note: str | None) -> dict:
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
