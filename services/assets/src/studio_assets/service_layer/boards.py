"""Sharing a collection as a read-only board, listing and revoking boards, and opening one by its token."""

import asyncio
from datetime import timedelta

from studio_assets.adapters import boards as repo
from studio_assets.adapters import repository as assets_repo
from studio_assets.domain.boards import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    TooManyAttempts,
    WrongPassword,
    check_open,
    hash_password,
    new_token,
    password_matches,
)
from studio_assets.service_layer import collections
from studio_common.db import Executor
from studio_common.ids import new_id, utcnow

PRIVATE = ("password_hash", "user_id", "failed_attempts", "locked_until")


class BoardNotFound(LookupError):
    def __init__(self, what: str) -> None:
        super().__init__(f"board {what} not found")


def _public(board: dict) -> dict:
    shown = {k: v for k, v in board.items() if k not in PRIVATE}
    return {
        **shown,
        "has_password": bool(board["password_hash"]),
        "active": board["revoked_at"] is None
        and (board["expires_at"] is None or board["expires_at"] > utcnow()),
    }


async def share(
    session: Executor,
    user_id: str,
    collection_id: str,
    *,
    title: str | None = None,
    expires_in: timedelta | None = None,
    password: str | None = None,
) -> dict:
    collection = await collections.get(session, user_id, collection_id)
    password_hash = await asyncio.to_thread(hash_password, password) if password else None
    now = utcnow()
    board_id = new_id()
    await repo.insert(
        session,
        {
            "id": board_id,
            "token": new_token(),
            "user_id": user_id,
            "collection_id": collection_id,
            "title": title or collection["name"],
            "password_hash": password_hash,
            "expires_at": now + expires_in if expires_in else None,
            "revoked_at": None,
            "view_count": 0,
            "failed_attempts": 0,
            "locked_until": None,
            "created_at": now,
        },
    )
    shown = [asset["id"] for asset in await repo.shown_assets(session, collection_id)]
    await assets_repo.increment_many(session, user_id, shown, "share_count")
    return _public(await repo.get(session, user_id, board_id))


async def list_for(session: Executor, user_id: str) -> dict:
    items = [_public(board) for board in await repo.list_for(session, user_id)]
    return {"items": items, "total": len(items)}


async def revoke(session: Executor, user_id: str, board_id: str) -> dict:
    board = await repo.get(session, user_id, board_id)
    if board is None:
        raise BoardNotFound(board_id)
    if board["revoked_at"] is None:
        await repo.change(session, board_id, revoked_at=utcnow())
    return _public(await repo.get(session, user_id, board_id))


async def open_board(sessions, token: str, password: str | None) -> dict:
    """What a visitor with the link sees; raises BoardClosed, PasswordRequired, WrongPassword or
    TooManyAttempts. A password attempt is counted before it is checked and the (slow) hash runs outside
    any transaction and off the event loop, so no burst of parallel guesses gets past the limit."""
    now = utcnow()
    async with sessions() as session, session.begin():
        board = await repo.by_token(session, token)
        if board is None:
            raise BoardNotFound("link")
        check_open(board, password, now)
        allowed = not board["password_hash"] or await repo.reserve_attempt(
            session, board["id"], now, MAX_FAILED_ATTEMPTS
        )
        if not allowed:
            await repo.lock_if_exhausted(session, board["id"], MAX_FAILED_ATTEMPTS, now + LOCKOUT)
    if not allowed:
        raise TooManyAttempts(now + LOCKOUT, now)
    stored = board["password_hash"]
    if stored and not await asyncio.to_thread(password_matches, password, stored):
        async with sessions() as session, session.begin():
            await repo.lock_if_exhausted(session, board["id"], MAX_FAILED_ATTEMPTS, now + LOCKOUT)
        raise WrongPassword("wrong password for this board")
    async with sessions() as session, session.begin():
        if board["password_hash"]:
            await repo.change(session, board["id"], failed_attempts=0)
        await repo.count_view(session, board["id"])
        return {
            "title": board["title"],
            "expires_at": board["expires_at"],
            "items": await repo.shown_assets(session, board["collection_id"]),
        }
