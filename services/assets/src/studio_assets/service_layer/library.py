"""The library queries and changes behind the assets service's internal HTTP API; all scoped to one user."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from studio_assets.adapters import repository as repo
from studio_assets.domain.rules import normalise_tags
from studio_assets.domain.search import AssetQuery
from studio_assets.domain.versions import chain_order
from studio_common.ids import utcnow

USAGE_COUNTERS = {"download": "download_count", "share": "share_count"}


class AssetNotFound(LookupError):
    def __init__(self, asset_id: str) -> None:
        super().__init__(f"asset {asset_id} not found")


async def search(session: AsyncSession, query: AssetQuery) -> dict:
    items, total = await repo.find(session, query)
    return {"items": items, "total": total, "page": query.page, "page_size": query.page_size}


async def get(session: AsyncSession, user_id: str, asset_id: str) -> dict:
    asset = await repo.get(session, user_id, asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    return asset


async def update(session: AsyncSession, user_id: str, asset_id: str, *, favourite: bool | None = None,
                 title: str | None = None, tags: Sequence[str] | None = None) -> dict:
    await get(session, user_id, asset_id)
    values: dict = {}
    if favourite is not None:
        values["favourite"] = favourite
    if title is not None:
        values["title"] = title
    if values or tags is not None:
        await repo.change(session, user_id, asset_id, **values, updated_at=utcnow())
    if tags is not None:
        await repo.set_tags(session, asset_id, normalise_tags(list(tags)))
    return await get(session, user_id, asset_id)


async def trash(session: AsyncSession, user_id: str, asset_id: str) -> dict:
    """Soft delete: the asset leaves the library for the trash; trashing it again changes nothing."""
    await get(session, user_id, asset_id)
    await repo.trash_many(session, user_id, [asset_id], utcnow())
    return await get(session, user_id, asset_id)


async def trash_many(session: AsyncSession, user_id: str, asset_ids: Sequence[str]) -> dict:
    return {"deleted": await repo.trash_many(session, user_id, list(dict.fromkeys(asset_ids)), utcnow())}


async def restore(session: AsyncSession, user_id: str, asset_id: str) -> dict:
    asset = await get(session, user_id, asset_id)
    if asset["deleted_at"] is not None:
        await repo.change(session, user_id, asset_id, deleted_at=None, updated_at=utcnow())
    return await get(session, user_id, asset_id)


async def record_usage(session: AsyncSession, user_id: str, asset_id: str, event: str) -> dict:
    if not await repo.increment(session, user_id, asset_id, USAGE_COUNTERS[event]):
        raise AssetNotFound(asset_id)
    return await get(session, user_id, asset_id)


async def versions(session: AsyncSession, user_id: str, asset_id: str) -> dict:
    """The version chain, oldest first. Trashed versions are left out, except the asset asked about."""
    found = await repo.chain(session, user_id, asset_id)
    if not found:
        raise AssetNotFound(asset_id)
    items = [a for a in chain_order(found) if a["deleted_at"] is None or a["id"] == asset_id]
    return {"asset_id": asset_id, "items": items, "total": len(items)}
