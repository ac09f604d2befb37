"""Reads and writes of the asset library. Every read and change names the user: another user's asset is
simply not found (I6)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from studio_assets.adapters.asset_filters import query_conditions, query_order
from studio_assets.adapters.tables import asset_tags, assets
from studio_assets.domain.search import AssetQuery
from studio_assets.domain.versions import MAX_CHAIN
from studio_common.db import Executor, dialect_name, insert_unless_present
from studio_common.ids import as_utc

Asset = dict[str, Any]
_CHUNK = 500  # ids per IN (...) list
_DATETIMES = ("created_at", "updated_at", "deleted_at")


async def insert_if_absent(session: Executor, values: dict[str, Any]) -> bool:
    """Insert the asset unless its id exists already; True if this call created it."""
    result = await session.execute(insert_unless_present(dialect_name(session), assets, "id"), values)
    return bool(result.rowcount)


async def set_tags(session: Executor, asset_id: str, tags: Sequence[str]) -> None:
    """Replace the asset's tags (already normalised: lower-case and distinct)."""
    await session.execute(_REMOVE_TAGS, {"asset": asset_id})
    await add_tags(session, asset_id, tags)


async def add_tags(session: Executor, asset_id: str, tags: Sequence[str]) -> None:
    """Tag an asset that has none yet (one just indexed)."""
    if tags:
        await session.execute(
            asset_tags.insert(),
            [{"asset_id": asset_id, "tag": tag, "position": position} for position, tag in enumerate(tags)],
        )


_REMOVE_TAGS = delete(asset_tags).where(asset_tags.c.asset_id == bindparam("asset"))


async def get(session: Executor, user_id: str, asset_id: str) -> Asset | None:
    row = (
        (await session.execute(select(assets).where(assets.c.user_id == user_id, assets.c.id == asset_id)))
        .mappings()
        .first()
    )
    return (await _with_tags(session, [row]))[0] if row else None


async def get_many(session: Executor, user_id: str, asset_ids: Sequence[str]) -> list[Asset]:
    """The user's assets among these ids that are not in the trash, in the order asked."""
    rows = (
        (
            await session.execute(
                select(assets).where(
                    assets.c.user_id == user_id,
                    assets.c.id.in_(list(asset_ids)),
                    assets.c.deleted_at.is_(None),
                )
            )
        )
        .mappings()
        .all()
    )
    found = {asset["id"]: asset for asset in await _with_tags(session, rows)}
    return [found[asset_id] for asset_id in asset_ids if asset_id in found]


async def increment_many(session: Executor, user_id: str, asset_ids: Sequence[str], counter: str) -> None:
    column = assets.c[counter]
    await session.execute(
        update(assets)
        .where(assets.c.user_id == user_id, assets.c.id.in_(list(asset_ids)))
        .values(**{counter: column + 1})
    )


async def source_of(session: Executor, user_id: str, asset_id: str) -> tuple[int, str] | None:
    """The version and title of the user's asset an operation started from; None when it is not theirs."""
    row = (
        await session.execute(
            select(assets.c.version, assets.c.title).where(
                assets.c.user_id == user_id, assets.c.id == asset_id
            )
        )
    ).first()
    return (row.version, row.title) if row else None


async def find(session: Executor, query: AssetQuery) -> tuple[list[Asset], int]:
    """One page of the user's assets that match, and how many match in all."""
    conditions = query_conditions(query)
    total = await session.scalar(select(func.count()).select_from(assets).where(*conditions))
    page = (
        select(assets)
        .where(*conditions)
        .order_by(*query_order(query))
        .limit(query.page_size)
        .offset(query.offset)
    )
    rows = (await session.execute(page)).mappings().all()
    return await _with_tags(session, rows), int(total or 0)


async def change(session: Executor, user_id: str, asset_id: str, **values: Any) -> bool:
    result = await session.execute(
        update(assets).where(assets.c.user_id == user_id, assets.c.id == asset_id).values(**values)
    )
    return bool(result.rowcount)


async def trash_many(session: Executor, user_id: str, asset_ids: Sequence[str], now: datetime) -> int:
    """Soft-delete those of the assets that are the user's and not in the trash yet; how many were."""
    result = await session.execute(
        update(assets)
        .where(assets.c.user_id == user_id, assets.c.id.in_(list(asset_ids)), assets.c.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now)
    )
    return int(result.rowcount or 0)


async def increment(session: Executor, user_id: str, asset_id: str, counter: str) -> bool:
    column = assets.c[counter]
    return await change(session, user_id, asset_id, **{counter: column + 1})


async def chain(session: Executor, user_id: str, asset_id: str) -> list[Asset]:
    """The asset, its ancestors (via source_asset_id) and all its descendants, the user's own only."""
    start = await session.execute(select(assets).where(assets.c.user_id == user_id, assets.c.id == asset_id))
    start = start.mappings().first()
    if start is None:
        return []
    found = {start["id"]: start}
    current = start
    while current["source_asset_id"] and current["source_asset_id"] not in found and len(found) < MAX_CHAIN:
        current = (
            (
                await session.execute(
                    select(assets).where(
                        assets.c.user_id == user_id, assets.c.id == current["source_asset_id"]
                    )
                )
            )
            .mappings()
            .first()
        )
        if current is None:
            break
        found[current["id"]] = current
    frontier = [start["id"]]
    while frontier and len(found) < MAX_CHAIN:
        children = (
            (
                await session.execute(
                    select(assets).where(assets.c.user_id == user_id, assets.c.source_asset_id.in_(frontier))
                )
            )
            .mappings()
            .all()
        )
        frontier = [row["id"] for row in children if row["id"] not in found]
        found.update((row["id"], row) for row in children)
    return await _with_tags(session, list(found.values()))


async def _with_tags(session: Executor, rows: Sequence) -> list[Asset]:
    ids = [row["id"] for row in rows]
    tags: dict[str, list[str]] = {asset_id: [] for asset_id in ids}
    if ids:
        query = (
            select(asset_tags.c.asset_id, asset_tags.c.tag)
            .where(asset_tags.c.asset_id.in_(ids))
            .order_by(asset_tags.c.asset_id, asset_tags.c.position)
        )
        for asset_id, tag in (await session.execute(query)).all():
            tags[asset_id].append(tag)
    return [_as_dict(row, tags[row["id"]]) for row in rows]


def _as_dict(row, tags: list[str]) -> Asset:
    asset = dict(row)
    for name in _DATETIMES:
        if asset[name] is not None:
            asset[name] = as_utc(asset[name])
    asset["favourite"] = bool(asset["favourite"])
    asset["tags"] = tags
    return asset


async def tags_of(session: Executor, asset_ids: Sequence[str]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for start in range(0, len(asset_ids), _CHUNK):
        query = (
            select(asset_tags.c.asset_id, asset_tags.c.tag)
            .where(asset_tags.c.asset_id.in_(list(asset_ids[start : start + _CHUNK])))
            .order_by(asset_tags.c.asset_id, asset_tags.c.position)
        )
        for asset_id, tag in (await session.execute(query)).all():
            tags.setdefault(asset_id, []).append(tag)
    return tags


async def matching_ids(session: Executor, query: AssetQuery, asset_ids: Sequence[str]) -> set[str]:
    """Those of these ids whose assets match the query's filters."""
    found: set[str] = set()
    conditions = query_conditions(query)
    for start in range(0, len(asset_ids), _CHUNK):
        chunk = list(asset_ids[start : start + _CHUNK])
        found.update(
            (await session.scalars(select(assets.c.id).where(*conditions, assets.c.id.in_(chunk)))).all()
        )
    return found


async def all_matching_ids(session: Executor, query: AssetQuery) -> list[str]:
    """Every matching id in the query's order (no paging)."""
    statement = select(assets.c.id).where(*query_conditions(query)).order_by(*query_order(query))
    return list((await session.scalars(statement)).all())


async def by_ids(session: Executor, user_id: str, asset_ids: Sequence[str]) -> list[Asset]:
    """The user's assets with these ids, in the order given (trashed ones included)."""
    if not asset_ids:
        return []
    rows = (
        (
            await session.execute(
                select(assets).where(assets.c.user_id == user_id, assets.c.id.in_(list(asset_ids)))
            )
        )
        .mappings()
        .all()
    )
    found = {asset["id"]: asset for asset in await _with_tags(session, rows)}
    return [found[asset_id] for asset_id in asset_ids if asset_id in found]


async def phashes(session: Executor, user_id: str) -> list[tuple[str, str]]:
    """(id, phash) of the user's images outside the trash."""
    rows = await session.execute(
        select(assets.c.id, assets.c.phash).where(
            assets.c.user_id == user_id, assets.c.deleted_at.is_(None), assets.c.phash.is_not(None)
        )
    )
    return [(row[0], row[1]) for row in rows.all()]
