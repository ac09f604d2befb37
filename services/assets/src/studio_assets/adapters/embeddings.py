"""Asset vectors in the database, and a per-process cache of each user's matrix for ranking in process.

The cache is keyed by the user's row count and newest update, read with one aggregate query per
search, so a change made through any replica is seen at the next search.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from studio_assets.adapters.tables import asset_embeddings, assets

CACHE_BYTES = 200_000_000  # about 130k vectors; the user being searched is always kept


@dataclass(frozen=True, slots=True)
class UserVectors:
    stamp: tuple
    ids: list[str]
    matrix: np.ndarray  # (n, dimensions) float32 unit rows


_cache: dict[str, UserVectors] = {}


async def save(
    session: AsyncSession, rows: Sequence[tuple[str, str, str, np.ndarray]], now: datetime
) -> None:
    """Replace the vectors of these (asset_id, user_id, model, vector) rows."""
    if not rows:
        return
    await session.execute(
        delete(asset_embeddings).where(asset_embeddings.c.asset_id.in_([r[0] for r in rows]))
    )
    await session.execute(
        asset_embeddings.insert(),
        [
            {
                "asset_id": asset_id,
                "user_id": user_id,
                "model": model,
                "updated_at": now,
                "vector": np.asarray(vector, np.float32).tobytes(),
            }
            for asset_id, user_id, model, vector in rows
        ],
    )


async def missing(session: AsyncSession, user_id: str, limit: int) -> list[dict]:
    """The user's assets (any state) that have no vector yet: indexed before search by meaning existed."""
    query = (
        select(assets.c.id, assets.c.title, assets.c.prompt)
        .outerjoin(asset_embeddings, asset_embeddings.c.asset_id == assets.c.id)
        .where(assets.c.user_id == user_id, asset_embeddings.c.asset_id.is_(None))
        .limit(limit)
    )
    return [dict(row) for row in (await session.execute(query)).mappings().all()]


async def for_user(session: AsyncSession, user_id: str, model: str) -> UserVectors:
    stamp_query = select(func.count(), func.max(asset_embeddings.c.updated_at)).where(
        asset_embeddings.c.user_id == user_id
    )
    stamp = tuple((await session.execute(stamp_query)).one())
    cached = _cache.get(user_id)
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = (
        await session.execute(
            select(asset_embeddings.c.asset_id, asset_embeddings.c.vector).where(
                asset_embeddings.c.user_id == user_id, asset_embeddings.c.model == model
            )
        )
    ).all()
    ids = [row[0] for row in rows]
    matrix = (
        np.frombuffer(b"".join(row[1] for row in rows), np.float32).reshape(len(rows), -1)
        if rows
        else np.zeros((0, 0), np.float32)
    )
    _cache.pop(user_id, None)
    while _cache and sum(v.matrix.nbytes for v in _cache.values()) + matrix.nbytes > CACHE_BYTES:
        _cache.pop(next(iter(_cache)))  # the least recently loaded user
    _cache[user_id] = found = UserVectors(stamp, ids, matrix)
    return found
