"""The library queries and changes behind the assets service's internal HTTP API; all scoped to one user."""

from collections.abc import Sequence

from studio_assets.adapters import repository as repo
from studio_assets.domain.meaning import near_duplicates
from studio_assets.domain.rules import normalise_tags
from studio_assets.domain.search import AssetQuery
from studio_assets.domain.versions import chain_order
from studio_assets.service_layer.vectors import store_vectors
from studio_common.db import Executor
from studio_common.ids import utcnow

USAGE_COUNTERS = {"download": "download_count", "share": "share_count"}


class AssetNotFound(LookupError):
    def __init__(self, asset_id: str) -> None:
        super().__init__(f"asset {asset_id} not found")


async def search(session: Executor, query: AssetQuery) -> dict:
    items, total = await repo.find(session, query)
    return {"items": items, "total": total, "page": query.page, "page_size": query.page_size}


async def get(session: Executor, user_id: str, asset_id: str) -> dict:
    asset = await repo.get(session, user_id, asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    return asset


async def update(
    session: Executor,
    user_id: str,
    asset_id: str,
    *,
    favourite: bool | None = None,
    title: str | None = None,
    tags: Sequence[str] | None = None,
) -> dict:
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
    asset = await get(session, user_id, asset_id)
    if title is not None or tags is not None:  # its meaning changed
        await store_vectors(session, user_id, [asset])
    return asset


async def trash(session: Executor, user_id: str, asset_id: str) -> dict:
    """Soft delete: the asset leaves the library for the trash; trashing it again changes nothing."""
    await get(session, user_id, asset_id)
    await repo.trash_many(session, user_id, [asset_id], utcnow())
    return await get(session, user_id, asset_id)


async def trash_many(session: Executor, user_id: str, asset_ids: Sequence[str]) -> dict:
    return {"deleted": await repo.trash_many(session, user_id, list(dict.fromkeys(asset_ids)), utcnow())}


async def restore(session: Executor, user_id: str, asset_id: str) -> dict:
    asset = await get(session, user_id, asset_id)
    if asset["deleted_at"] is not None:
        await repo.change(session, user_id, asset_id, deleted_at=None, updated_at=utcnow())
    return await get(session, user_id, asset_id)


async def record_usage(session: Executor, user_id: str, asset_id: str, event: str) -> dict:
    if not await repo.increment(session, user_id, asset_id, USAGE_COUNTERS[event]):
        raise AssetNotFound(asset_id)
    return await get(session, user_id, asset_id)


class AssetsNotFound(LookupError):
    def __init__(self, asset_ids: Sequence[str]) -> None:
        super().__init__(f"assets not found (or in the trash): {', '.join(asset_ids)}")


class SelectionTooLarge(ValueError):
    def __init__(self, total: int, limit: int) -> None:
        super().__init__(f"the selected assets hold {_size(total)}; one ZIP holds at most {_size(limit)}")


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count:,} bytes"


async def take_for_download(
    session: Executor, user_id: str, asset_ids: Sequence[str], max_bytes: int | None = None
) -> dict:
    """All of these assets, counting one download each; none if any is not the user's or is trashed, or
    if together they exceed `max_bytes`."""
    unique = list(dict.fromkeys(asset_ids))
    found = await repo.get_many(session, user_id, unique)
    if len(found) != len(unique):
        have = {asset["id"] for asset in found}
        raise AssetsNotFound([asset_id for asset_id in unique if asset_id not in have])
    total = sum(asset["bytes"] or 0 for asset in found)
    if max_bytes is not None and total > max_bytes:
        raise SelectionTooLarge(total, max_bytes)
    await repo.increment_many(session, user_id, unique, USAGE_COUNTERS["download"])
    return {"items": found}


async def versions(session: Executor, user_id: str, asset_id: str) -> dict:
    """The version chain, oldest first. Trashed versions are left out, except the asset asked about."""
    found = await repo.chain(session, user_id, asset_id)
    if not found:
        raise AssetNotFound(asset_id)
    items = [a for a in chain_order(found) if a["deleted_at"] is None or a["id"] == asset_id]
    return {"asset_id": asset_id, "items": items, "total": len(items)}


async def similar(session: Executor, user_id: str, asset_id: str) -> dict:
    """The user's other assets whose pictures are near-duplicates of this one (perceptual hash)."""
    asset = await get(session, user_id, asset_id)
    if not asset.get("phash"):
        return {"asset_id": asset_id, "items": [], "total": 0}
    candidates = [c for c in await repo.phashes(session, user_id) if c[0] != asset_id]
    close = near_duplicates(asset["phash"], candidates)
    distances = dict(close)
    items = [
        {**a, "distance": distances[a["id"]]}
        for a in await repo.by_ids(session, user_id, [asset_id for asset_id, _ in close])
    ]
    return {"asset_id": asset_id, "items": items, "total": len(items)}
