"""Share boards: an owner shares a collection as a read-only public link (optional password and expiry,
revocable); anyone with the link sees its assets through short-lived signed URLs, without an account.

The owner's routes are registered before the asset routes, so `boards` is not read as an asset id."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from studio_common.content_types import content_type_of_key
from studio_common.storage import StorageKeyError
from studio_gateway.domain.sealed_links import LinkInvalid
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import BodyId, ResourceId

router = APIRouter(prefix="/api/content-assets/boards", tags=["share boards"])
public_router = APIRouter(prefix="/api/shared", tags=["share boards"])
SHOWN = ("id", "title", "type", "content_type", "width", "height", "bytes")
# Any token a board was ever given (some older ones start with - or _), never anything else.
BoardToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the board link's token")]
Sealed = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{40,2000}$")]


class NewBoard(BaseModel):
    collection_id: BodyId = Field(max_length=64)
    title: str | None = Field(None, min_length=1, max_length=200)
    expires_in_hours: int | None = Field(None, ge=1, le=24 * 365, description="none: until revoked")
    password: str | None = Field(None, min_length=8, max_length=200)


def _with_link(request: Request, board: dict) -> dict:
    return {**board, "url": f"{request.app.state.settings.public_base_url}/api/shared/{board['token']}"}


async def _call(request: Request, user: User, method: str, path: str = "", **kwargs):
    return await request.app.state.assets.call(
        method, f"/internal/boards{path}", user_id=user.user_id, **kwargs
    )


@router.post("", status_code=201)
async def share(body: NewBoard, user: User, request: Request) -> dict:
    """Share one of the user's collections; the answer's `url` is the public link."""
    return _with_link(request, await _call(request, user, "POST", json=body.model_dump(exclude_none=True)))


@router.get("")
async def list_boards(user: User, request: Request) -> dict:
    found = await _call(request, user, "GET")
    return {**found, "items": [_with_link(request, board) for board in found["items"]]}


@router.post("/{board_id}/revoke")
async def revoke(board_id: ResourceId, user: User, request: Request) -> dict:
    return _with_link(request, await _call(request, user, "POST", f"/{board_id}/revoke"))


@public_router.get("/files/{reference}", include_in_schema=False)
async def shared_file(reference: Sealed, request: Request) -> Response:
    """A board's file by its opaque reference (from opening the board): no user or operation in sight."""
    state = request.app.state
    try:
        key = state.shared_links.open(reference)
        data = await state.storage.get(key)
    except LinkInvalid as exc:
        raise HTTPException(403, str(exc)) from exc
    except StorageKeyError as exc:
        raise HTTPException(404, "not found") from exc
    return Response(
        data, media_type=content_type_of_key(key), headers={"Cache-Control": "private, max-age=60"}
    )


@public_router.get("/{token}")
async def open_board(
    token: BoardToken, request: Request, x_board_password: str | None = Header(None, max_length=200)
) -> dict:
    """No account needed. Unknown link: 404; revoked or expired: 410; password missing: 401; wrong: 403;
    after 10 wrong passwords the board answers 429 for 15 minutes."""
    state = request.app.state
    board = await state.assets.call(
        "POST", "/internal/boards/open", json={"token": token, "password": x_board_password}
    )
    ttl = state.settings.download_url_ttl_seconds
    base = f"{state.settings.public_base_url}/api/shared/files"
    seal = state.shared_links.seal
    items = [
        {**{k: asset[k] for k in SHOWN}, "url": f"{base}/{seal(asset['storage_key'], ttl)}"}
        for asset in board["items"]
    ]
    return {"title": board["title"], "expires_at": board["expires_at"], "items": items, "total": len(items)}
