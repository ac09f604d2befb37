"""Asset vectors in the database, and a per-process cache of each user's matrix for ranking in process.

The cache is keyed by the user's row count and newest update, read with one aggregate query per
search, so a change made through any replica is seen at the next search.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, select

from studio_assets.adapters.tables import asset_embeddings, assets, pending_embeddings
from studio_common.db import Executor, dialect_insert, dialect_name

CACHE_BYTES = 200_000_000  # about 130k vectors; the user being searched is always kept


@dataclass(frozen=True, slots=True)
class UserVectors:
    stamp: tuple
    ids: list[str]
    matrix: np.ndarray  # (n, dimensions) float32 unit rows


_cache: dict[str, UserVectors] = {}


async def save(session: Executor, rows: Sequence[tuple[str, str, str, np.ndarray]], now: datetime) -> None:
    """Replace the vectors of these (asset_id, user_id, model, vector) rows."""
    if not rows:
        return
    await remove(session, [r[0] for r in rows])
    await session.execute(
        asset_embeddings.insert(),
        [_row(asset_id, user_id, model, vector, now) for asset_id, user_id, model, vector in rows],
    )


async def remove(session: Executor, asset_ids: Collection[str]) -> None:
    if asset_ids:
        await session.execute(
            delete(asset_embeddings).where(asset_embeddings.c.asset_id.in_(list(asset_ids)))
        )


async def queue(session: Executor, asset_ids: Sequence[str], now: datetime) -> None:
    """These new assets' vectors are to be made (by `take_pending` and `fill`, outside this transaction)."""
    if asset_ids:
        await session.execute(
            pending_embeddings.insert(), [{"asset_id": asset_id, "queued_at": now} for asset_id in asset_ids]
        )


async def take_pending(session: Executor, limit: int) -> list[dict]:
    """The oldest assets waiting for a vector: id, user_id, title and prompt, and whether a vector was made
    meanwhile (by a rename or a search's backfill: then only the waiting is over)."""
    query = (
        select(
            assets.c.id,
            assets.c.user_id,
            assets.c.title,
            assets.c.prompt,
            asset_embeddings.c.asset_id.is_not(None).label("has_vector"),
        )
        .select_from(pending_embeddings)
        .join(assets, assets.c.id == pending_embeddings.c.asset_id)
        .outerjoin(asset_embeddings, asset_embeddings.c.asset_id == assets.c.id)
        .order_by(pending_embeddings.c.queued_at)
        .limit(limit)
    )
    return [dict(row) for row in (await session.execute(query)).mappings().all()]


async def backlog(session: Executor) -> tuple[int, datetime | None]:
    """How many assets wait for a vector, and since when the oldest of them has."""
    query = select(func.count(), func.min(pending_embeddings.c.queued_at))
    count, oldest = (await session.execute(query)).one()
    return count, oldest


async def fill(
    session: Executor,
    rows: Sequence[tuple[str, str, str, np.ndarray]],
    done: Sequence[str],
    now: datetime,
) -> None:
    """Vectors for assets that have none (one made meanwhile is newer and stays), and the waiting of the
    `done` assets over."""
    if rows:
        insert = dialect_insert(dialect_name(session))(asset_embeddings)
        await session.execute(
            insert.on_conflict_do_nothing(index_elements=["asset_id"]),
            [_row(asset_id, user_id, model, vector, now) for asset_id, user_id, model, vector in rows],
        )
    if done:
        await session.execute(delete(pending_embeddings).where(pending_embeddings.c.asset_id.in_(list(done))))


def _row(asset_id: str, user_id: str, model: str, vector: np.ndarray, now: datetime) -> dict:
    return {
        "asset_id": asset_id,
        "user_id": user_id,
        "model": model,
        "updated_at": now,
        "vector": np.asarray(vector, np.float32).tobytes(),
    }


async def missing(session: Executor, user_id: str, limit: int, excluding: Collection[str] = ()) -> list[dict]:
    """The user's assets (any state) that have no vector yet, but those `excluding`."""
    query = (
        select(assets.c.id, assets.c.user_id, assets.c.title, assets.c.prompt)
        .outerjoin(asset_embeddings, asset_embeddings.c.asset_id == assets.c.id)
        .where(assets.c.user_id == user_id, asset_embeddings.c.asset_id.is_(None))
        .limit(limit)
    )
    if excluding:
        query = query.where(assets.c.id.not_in(list(excluding)))
    return [dict(row) for row in (await session.execute(query)).mappings().all()]


async def for_user(session: Executor, user_id: str, model: str) -> UserVectors:
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
