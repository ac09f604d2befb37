"""Collections on the assets service's internal API; scoped to the user the gateway names (I6)."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from studio_assets.entrypoints.callers import PathId, UserId
from studio_assets.entrypoints.transactions import in_transaction
from studio_assets.service_layer import collections
from studio_common.contracts.assets import AssetIds

router = APIRouter(prefix="/internal/collections")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class NewCollection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""


class CollectionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: Description | None = None


class Members(BaseModel):
    asset_ids: AssetIds = Field(min_length=1, max_length=500)


@router.post("", status_code=201)
async def create(body: NewCollection, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.create, user_id, body.name, body.description)


@router.get("")
async def list_collections(user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.list_for, user_id)


@router.get("/{collection_id}")
async def get(collection_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.get, user_id, collection_id)


@router.patch("/{collection_id}")
async def update(collection_id: PathId, body: CollectionPatch, user_id: UserId, request: Request) -> dict:
    return await in_transaction(
        request, collections.update, user_id, collection_id, name=body.name, description=body.description
    )


@router.delete("/{collection_id}")
async def delete(collection_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.delete, user_id, collection_id)


@router.post("/{collection_id}/assets")
async def add_assets(collection_id: PathId, body: Members, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.add_assets, user_id, collection_id, body.asset_ids)


@router.delete("/{collection_id}/assets/{asset_id}")
async def remove_asset(collection_id: PathId, asset_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, collections.remove_asset, user_id, collection_id, asset_id)
