"""A user's collections of library assets: an asset can be in many; a collection holds only the user's
own assets, and deleting one never deletes its assets."""

from collections.abc import Sequence

from studio_assets.adapters import collections as repo
from studio_assets.adapters import repository as assets_repo
from studio_assets.service_layer.library import AssetsNotFound
from studio_common.db import Executor
from studio_common.ids import new_id, utcnow


class CollectionNotFound(LookupError):
    def __init__(self, collection_id: str) -> None:
        super().__init__(f"collection {collection_id} not found")


class CollectionNameTaken(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a collection named {name!r} already exists")


async def create(session: Executor, user_id: str, name: str, description: str = "") -> dict:
    now = utcnow()
    collection_id = new_id()
    try:
        await repo.insert(
            session,
            {
                "id": collection_id,
                "user_id": user_id,
                "name": name,
                "description": description,
                "created_at": now,
                "updated_at": now,
            },
        )
    except repo.NameTaken as exc:
        raise CollectionNameTaken(name) from exc
    return await get(session, user_id, collection_id)


async def get(session: Executor, user_id: str, collection_id: str) -> dict:
    found = await repo.get(session, user_id, collection_id)
    if found is None:
        raise CollectionNotFound(collection_id)
    return found


async def list_for(session: Executor, user_id: str) -> dict:
    items = await repo.list_for(session, user_id)
    return {"items": items, "total": len(items)}


async def update(
    session: Executor,
    user_id: str,
    collection_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
) -> dict:
    values = {k: v for k, v in {"name": name, "description": description}.items() if v is not None}
    try:
        changed = await repo.change(session, user_id, collection_id, **values, updated_at=utcnow())
    except repo.NameTaken as exc:
        raise CollectionNameTaken(name or "") from exc
    if not changed:
        raise CollectionNotFound(collection_id)
    return await get(session, user_id, collection_id)


async def delete(session: Executor, user_id: str, collection_id: str) -> dict:
    if not await repo.remove(session, user_id, collection_id):
        raise CollectionNotFound(collection_id)
    return {"id": collection_id, "deleted": True}


async def add_assets(session: Executor, user_id: str, collection_id: str, asset_ids: Sequence[str]) -> dict:
    """All or nothing: every asset must be the user's and out of the trash; ones already in are kept once."""
    await get(session, user_id, collection_id)
    unique = list(dict.fromkeys(asset_ids))
    found = {asset["id"] for asset in await assets_repo.get_many(session, user_id, unique)}
    if missing := [asset_id for asset_id in unique if asset_id not in found]:
        raise AssetsNotFound(missing)
    already = await repo.members(session, collection_id)
    now = utcnow()
    await repo.add_members(session, collection_id, [a for a in unique if a not in already], now)
    await repo.change(session, user_id, collection_id, updated_at=now)
    return await get(session, user_id, collection_id)


async def remove_asset(session: Executor, user_id: str, collection_id: str, asset_id: str) -> dict:
    await get(session, user_id, collection_id)
    if not await repo.remove_member(session, collection_id, asset_id):
        raise AssetsNotFound([asset_id])
    await repo.change(session, user_id, collection_id, updated_at=utcnow())
    return await get(session, user_id, collection_id)
