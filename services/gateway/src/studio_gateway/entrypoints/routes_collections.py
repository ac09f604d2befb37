"""Collections of library assets, on the assets service's internal API, scoped to the caller (I6).

Registered before the asset routes: `/api/content-assets/collections` must not be read as an asset id."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import BodyId, ResourceId

router = APIRouter(prefix="/api/content-assets/collections", tags=["collections"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class NewCollection(BaseModel):
    name: Name
    description: str = Field("", max_length=2000)


class CollectionPatch(BaseModel):
    name: Name | None = None
    description: str | None = Field(None, max_length=2000)


class Members(BaseModel):
    asset_ids: list[BodyId] = Field(min_length=1, max_length=500)


async def _call(request: Request, user: User, method: str, path: str = "", **kwargs):
    return await request.app.state.assets.call(
        method, f"/internal/collections{path}", user_id=user.user_id, **kwargs
    )


@router.post("", status_code=201)
async def create(body: NewCollection, user: User, request: Request) -> dict:
    return await _call(request, user, "POST", json=body.model_dump())


@router.get("")
async def list_collections(user: User, request: Request) -> dict:
    """The user's collections with their asset counts, most recently changed first."""
    return await _call(request, user, "GET")


@router.get("/{collection_id}")
async def get(collection_id: ResourceId, user: User, request: Request) -> dict:
    return await _call(request, user, "GET", f"/{collection_id}")


@router.patch("/{collection_id}")
async def update(collection_id: ResourceId, body: CollectionPatch, user: User, request: Request) -> dict:
    return await _call(request, user, "PATCH", f"/{collection_id}", json=body.model_dump(exclude_none=True))


@router.delete("/{collection_id}")
async def delete(collection_id: ResourceId, user: User, request: Request) -> dict:
    """The collection goes; its assets stay in the library."""
    return await _call(request, user, "DELETE", f"/{collection_id}")


@router.post("/{collection_id}/assets")
async def add_assets(collection_id: ResourceId, body: Members, user: User, request: Request) -> dict:
    """All or nothing: each must be the user's own asset, not in the trash."""
    return await _call(request, user, "POST", f"/{collection_id}/assets", json=body.model_dump())


@router.delete("/{collection_id}/assets/{asset_id}")
async def remove_asset(collection_id: ResourceId, asset_id: ResourceId, user: User, request: Request) -> dict:
    return await _call(request, user, "DELETE", f"/{collection_id}/assets/{asset_id}")
