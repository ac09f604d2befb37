"""The asset library's internal HTTP API. The gateway calls it with a service token naming the
authenticated user (studio_common.service_auth), and every query is scoped to that user: another user's
asset is a 404, never a 403 (I6)."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from studio_assets.domain.search import MAX_PAGE_SIZE, AssetQuery, parse_moment, parse_sizes
from studio_assets.entrypoints.callers import PathId, UserId
from studio_assets.entrypoints.transactions import answering, in_reading, in_transaction
from studio_assets.service_layer import library, meaning
from studio_common.contracts.assets import (
    MAX_TAG_CHARS,
    AssetPatch,
    BulkDelete,
    BulkDownloadQuery,
    SearchMode,
    Sort,
    Usage,
)

router = APIRouter(prefix="/internal/assets")

AssetType = Literal["image", "video", "model3d", "audio"]


def _sizes(text: str | None) -> tuple[tuple[int, int], ...]:
    try:
        return parse_sizes(text) if text is not None else ()
    except ValueError as exc:
        raise HTTPException(422, f"sizes: {exc}") from exc


def _moment(name: str, text: str | None, end_of_day: bool = False):
    if text is None:
        return None
    try:
        return parse_moment(text, end_of_day)
    except ValueError as exc:
        raise HTTPException(422, f"{name}: {exc}") from exc


@router.get("")
async def list_assets(
    request: Request,
    user_id: UserId,
    search: Annotated[str | None, Query(max_length=500, description="prompt, title, tag text or id")] = None,
    search_mode: Annotated[
        SearchMode, Query(description="hybrid: keyword matches, then by meaning")
    ] = "hybrid",
    type: AssetType | None = None,
    module: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    operation_id: str | None = None,
    status: str | None = None,
    favourite: bool | None = None,
    tag: Annotated[str | None, Query(max_length=MAX_TAG_CHARS)] = None,
    collection: Annotated[str | None, Query(max_length=64, description="a collection's id")] = None,
    sizes: Annotated[str | None, Query(max_length=2000, description="WIDTHxHEIGHT,... (any matches)")] = None,
    date_from: Annotated[str | None, Query(description="ISO date or date-time, inclusive")] = None,
    date_to: Annotated[str | None, Query(description="ISO date or date-time, inclusive")] = None,
    width: Annotated[int | None, Query(ge=1)] = None,
    height: Annotated[int | None, Query(ge=1)] = None,
    trashed: bool = False,
    sort: Sort = "newest",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict:
    query = AssetQuery(
        user_id=user_id,
        search=search,
        type=type,
        module=module,
        provider=provider,
        model=model,
        operation_id=operation_id,
        status=status,
        favourite=favourite,
        tag=tag,
        collection_id=collection,
        sizes=_sizes(sizes),
        date_from=_moment("date_from", date_from),
        date_to=_moment("date_to", date_to, end_of_day=True),
        width=width,
        height=height,
        trashed=trashed,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return await answering(meaning.search(request.app.state.runtime, query, search_mode))


@router.post("/bulk-delete")
async def bulk_delete(body: BulkDelete, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, library.trash_many, user_id, body.asset_ids)


@router.post("/bulk-download")
async def bulk_download(body: BulkDownloadQuery, user_id: UserId, request: Request) -> dict:
    """The assets to put in a ZIP (the gateway streams it), each counted as downloaded."""
    return await in_transaction(request, library.take_for_download, user_id, body.asset_ids, body.max_bytes)


@router.get("/{asset_id}")
async def get_asset(asset_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_reading(request, library.get, user_id, asset_id)


@router.patch("/{asset_id}")
async def patch_asset(asset_id: PathId, body: AssetPatch, user_id: UserId, request: Request) -> dict:
    return await in_transaction(
        request, library.update, user_id, asset_id, favourite=body.favourite, title=body.title, tags=body.tags
    )


@router.delete("/{asset_id}")
async def delete_asset(asset_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, library.trash, user_id, asset_id)


@router.post("/{asset_id}/restore")
async def restore_asset(asset_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, library.restore, user_id, asset_id)


@router.post("/{asset_id}/usage")
async def record_usage(asset_id: PathId, body: Usage, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, library.record_usage, user_id, asset_id, body.event)


@router.get("/{asset_id}/versions")
async def get_versions(asset_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_reading(request, library.versions, user_id, asset_id)


@router.get("/{asset_id}/similar")
async def get_similar(asset_id: str, user_id: UserId, request: Request) -> dict:
    """Near-duplicates of the asset's picture among the user's assets (perceptual hash), nearest first."""
    return await in_reading(request, library.similar, user_id, asset_id)
