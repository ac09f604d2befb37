"""The asset library, on the assets service's internal API, always scoped to the caller (I6)."""

import time
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from studio_common.contracts.assets import (
    AssetPatch,
    BulkDelete,
    BulkDownload,
    BulkDownloadQuery,
    SearchMode,
    Sort,
    Usage,
)
from studio_common.ids import utcnow
from studio_gateway.adapters.assets_client import AssetsClient
from studio_gateway.domain.platform_sizes import UnknownPlatform, sizes_for
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import MAX_PAGE, ResourceId
from studio_gateway.service_layer import archive

router = APIRouter(prefix="/api/content-assets", tags=["assets"])


def _assets(request: Request) -> AssetsClient:
    return request.app.state.assets


def _viewable(request: Request, asset: dict) -> dict:
    """The asset with a short-lived signed `url` to show it; counted as a view, not a download."""
    state = request.app.state
    return {
        **asset,
        "url": state.storage.signed_url(asset["storage_key"], state.settings.download_url_ttl_seconds),
    }


@router.get("")
async def list_assets(
    user: User,
    request: Request,
    search: str | None = Query(None, max_length=200),
    search_mode: Annotated[
        SearchMode, Query(description="hybrid: keyword matches first, then assets close in meaning")
    ] = "hybrid",
    type: str | None = None,
    module: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    operation_id: str | None = None,
    favourite: bool | None = None,
    tag: str | None = None,
    collection: str | None = Query(None, max_length=64),
    platform: str | None = Query(None, max_length=32, description="made at one of the platform's sizes"),
    date_from: date | None = None,
    date_to: date | None = None,
    width: int | None = None,
    height: int | None = None,
    trashed: bool = False,
    sort: Sort = "newest",
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100),
) -> dict:
    params = {
        k: v
        for k, v in {
            "search": search,
            "search_mode": search_mode,
            "type": type,
            "module": module,
            "provider": provider,
            "model": model,
            "operation_id": operation_id,
            "favourite": favourite,
            "tag": tag,
            "collection": collection,
            "date_from": date_from,
            "date_to": date_to,
            "width": width,
            "height": height,
            "trashed": trashed,
            "sort": sort,
            "page": page,
            "page_size": page_size,
        }.items()
        if v is not None
    }
    if platform is not None:
        try:
            params["sizes"] = ",".join(f"{w}x{h}" for w, h in sizes_for(platform))
        except UnknownPlatform as exc:
            raise HTTPException(422, f"platform: {exc}") from exc
    found = await _assets(request).search(user.user_id, params)
    return {**found, "items": [_viewable(request, asset) for asset in found["items"]]}


@router.get("/{asset_id}")
async def get_asset(asset_id: ResourceId, user: User, request: Request) -> dict:
    return _viewable(request, await _assets(request).get(user.user_id, asset_id))


@router.get("/{asset_id}/download")
async def download(asset_id: ResourceId, user: User, request: Request, redirect: bool = False):
    """A short-lived signed URL whose bytes are the asset."""
    state = request.app.state
    asset = await _assets(request).get(user.user_id, asset_id)
    ttl = state.settings.download_url_ttl_seconds
    url = state.storage.signed_url(asset["storage_key"], ttl)
    await _assets(request).record_usage(user.user_id, asset_id, Usage(event="download"))
    if redirect:
        return RedirectResponse(url, status_code=307)
    return {
        "asset_id": asset_id,
        "url": url,
        "expires_at": int(time.time()) + ttl,
        "content_type": asset["content_type"],
    }


@router.patch("/{asset_id}")
async def patch_asset(asset_id: ResourceId, body: AssetPatch, user: User, request: Request) -> dict:
    return await _assets(request).update(user.user_id, asset_id, body)


@router.delete("/{asset_id}")
async def delete_asset(asset_id: ResourceId, user: User, request: Request) -> dict:
    return await _assets(request).trash(user.user_id, asset_id)


@router.post("/{asset_id}/restore")
async def restore_asset(asset_id: ResourceId, user: User, request: Request) -> dict:
    return await _assets(request).restore(user.user_id, asset_id)


@router.get("/{asset_id}/versions")
async def versions(asset_id: ResourceId, user: User, request: Request):
    found = await _assets(request).versions(user.user_id, asset_id)
    return {**found, "items": [_viewable(request, asset) for asset in found["items"]]}


@router.get("/{asset_id}/similar")
async def similar(asset_id: ResourceId, user: User, request: Request):
    """The caller's near-duplicates of this asset's picture (perceptual hash), nearest first."""
    found = await _assets(request).similar(user.user_id, asset_id)
    return {**found, "items": [_viewable(request, asset) for asset in found["items"]]}


@router.post("/bulk-delete")
async def bulk_delete(body: BulkDelete, user: User, request: Request) -> dict:
    return await _assets(request).bulk_delete(user.user_id, body)


@router.post(
    "/bulk-download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "the assets and a manifest.csv"}},
)
async def bulk_download(body: BulkDownload, user: User, request: Request) -> StreamingResponse:
    """One ZIP of up to 100 of the user's assets (not in the trash), with manifest.csv; each counts as a
    download. Another user's or a trashed asset: 404 naming it; too many bytes in all: 413."""
    state = request.app.state
    query = BulkDownloadQuery(asset_ids=body.asset_ids, max_bytes=state.settings.bulk_download_max_bytes)
    found = await _assets(request).bulk_download(user.user_id, query)
    try:
        spool = await archive.build(state.storage, found["items"])
    except archive.MissingFile as exc:
        raise HTTPException(502, str(exc)) from exc
    filename = f"image-studio-{utcnow():%Y%m%d-%H%M%S}.zip"
    return StreamingResponse(
        archive.stream(spool),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
