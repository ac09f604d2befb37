"""Reads and writes of a user's collections. Like the assets themselves, every query names the user."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from studio_assets.adapters.tables import assets, collection_assets, collections
from studio_common.db import Executor
from studio_common.ids import as_utc

Collection = dict[str, Any]


class NameTaken(ValueError):
    pass


def _counted():
    count = (
        select(func.count())
        .select_from(collection_assets)
        .join(assets, assets.c.id == collection_assets.c.asset_id)
        .where(collection_assets.c.collection_id == collections.c.id, assets.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    return select(collections, count.label("asset_count"))


def _as_dict(row) -> Collection:
    found = dict(row)
    found["created_at"], found["updated_at"] = as_utc(found["created_at"]), as_utc(found["updated_at"])
    found.pop("user_id", None)
    return found


async def insert(session: Executor, values: dict) -> None:
    try:
        async with session.begin_nested():
            await session.execute(collections.insert().values(**values))
    except IntegrityError as exc:
        raise NameTaken(values["name"]) from exc


async def get(session: Executor, user_id: str, collection_id: str) -> Collection | None:
    row = (
        (
            await session.execute(
                _counted().where(collections.c.user_id == user_id, collections.c.id == collection_id)
            )
        )
        .mappings()
        .first()
    )
    return _as_dict(row) if row else None


async def list_for(session: Executor, user_id: str) -> list[Collection]:
    rows = (
        (
            await session.execute(
                _counted()
                .where(collections.c.user_id == user_id)
                .order_by(collections.c.updated_at.desc(), collections.c.id)
            )
        )
        .mappings()
        .all()
    )
    return [_as_dict(row) for row in rows]


async def change(session: Executor, user_id: str, collection_id: str, **values: Any) -> bool:
    try:
        async with session.begin_nested():
            result = await session.execute(
                update(collections)
                .where(collections.c.user_id == user_id, collections.c.id == collection_id)
                .values(**values)
            )
    except IntegrityError as exc:
        raise NameTaken(values.get("name", "")) from exc
    return bool(result.rowcount)


async def remove(session: Executor, user_id: str, collection_id: str) -> bool:
    """Memberships and share boards go with it (foreign keys cascade); the assets stay."""
    result = await session.execute(
        delete(collections).where(collections.c.user_id == user_id, collections.c.id == collection_id)
    )
    return bool(result.rowcount)


async def members(session: Executor, collection_id: str) -> set[str]:
    rows = await session.execute(
        select(collection_assets.c.asset_id).where(collection_assets.c.collection_id == collection_id)
    )
    return {asset_id for (asset_id,) in rows.all()}


async def add_members(session: Executor, collection_id: str, asset_ids: Sequence[str], now) -> None:
    if asset_ids:
        await session.execute(
            collection_assets.insert(),
            [
                {"collection_id": collection_id, "asset_id": asset_id, "added_at": now}
                for asset_id in asset_ids
            ],
        )


async def remove_member(session: Executor, collection_id: str, asset_id: str) -> bool:
    result = await session.execute(
        delete(collection_assets).where(
            collection_assets.c.collection_id == collection_id, collection_assets.c.asset_id == asset_id
        )
    )
    return bool(result.rowcount)
