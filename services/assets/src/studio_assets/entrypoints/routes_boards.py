"""Share boards on the assets service's internal API: the owner's routes name the user; opening a board
names only its token (the gateway's public, unauthenticated route)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from studio_assets.domain.boards import MAX_EXPIRY, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from studio_assets.entrypoints.callers import PathId, UserId
from studio_assets.entrypoints.transactions import answering, in_transaction
from studio_assets.service_layer import boards
from studio_common.contracts.assets import OPEN_BOARDS
from studio_common.service_auth import require_scope

router = APIRouter(prefix="/internal/boards")
MAX_HOURS = int(MAX_EXPIRY.total_seconds() // 3600)


class NewBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    collection_id: str = Field(min_length=1, max_length=64)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )
    expires_in_hours: int | None = Field(None, ge=1, le=MAX_HOURS)
    password: str | None = Field(None, min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)


class Visit(BaseModel):
    token: str = Field(min_length=1, max_length=64)
    password: str | None = Field(None, max_length=MAX_PASSWORD_CHARS)


@router.post("", status_code=201)
async def share(body: NewBoard, user_id: UserId, request: Request) -> dict:
    expires_in = timedelta(hours=body.expires_in_hours) if body.expires_in_hours else None
    return await in_transaction(
        request,
        boards.share,
        user_id,
        body.collection_id,
        title=body.title,
        expires_in=expires_in,
        password=body.password,
    )


@router.get("")
async def list_boards(user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, boards.list_for, user_id)


@router.post("/{board_id}/revoke")
async def revoke(board_id: PathId, user_id: UserId, request: Request) -> dict:
    return await in_transaction(request, boards.revoke, user_id, board_id)


@router.post("/open", dependencies=[require_scope(OPEN_BOARDS)])
async def open_board(body: Visit, request: Request) -> dict:
    return await answering(boards.open_board(request.app.state.runtime.sessions, body.token, body.password))
