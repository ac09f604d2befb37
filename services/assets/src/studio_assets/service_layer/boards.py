"""Sharing a collection as a read-only board, listing and revoking boards, and opening one by its token."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from studio_assets.adapters import boards as repo
from studio_assets.adapters import repository as assets_repo
from studio_assets.domain.boards import WrongPassword, after_wrong_password, check_open, hash_password, new_token
from studio_assets.service_layer import collections
from studio_common.ids import new_id, utcnow

PRIVATE = ("password_hash", "user_id", "failed_attempts", "locked_until")


class KeepChanges(Exception):
    """Fail the request but commit what was written first (a wrong password's count)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class BoardNotFound(LookupError):
    def __init__(self, what: str) -> None:
        super().__init__(f"board {what} not found")


def _public(board: dict) -> dict:
    shown = {k: v for k, v in board.items() if k not in PRIVATE}
    return {**shown, "has_password": bool(board["password_hash"]), "active": board["revoked_at"] is None and (
        board["expires_at"] is None or board["expires_at"] > utcnow())}


async def share(session: AsyncSession, user_id: str, collection_id: str, *, title: str | None = None,
                expires_in: timedelta | None = None, password: str | None = None) -> dict:
    collection = await collections.get(session, user_id, collection_id)
    now = utcnow()
    board_id = new_id()
    await repo.insert(session, {
        "id": board_id, "token": new_token(), "user_id": user_id, "collection_id": collection_id,
        "title": title or collection["name"], "password_hash": hash_password(password) if password else None,
        "expires_at": now + expires_in if expires_in else None, "revoked_at": None, "view_count": 0,
        "failed_attempts": 0, "locked_until": None, "created_at": now})
    shown = [asset["id"] for asset in await repo.shown_assets(session, collection_id)]
    await assets_repo.increment_many(session, user_id, shown, "share_count")
    return _public(await repo.get(session, user_id, board_id))


async def list_for(session: AsyncSession, user_id: str) -> dict:
    items = [_public(board) for board in await repo.list_for(session, user_id)]
    return {"items": items, "total": len(items)}


async def revoke(session: AsyncSession, user_id: str, board_id: str) -> dict:
    board = await repo.get(session, user_id, board_id)
    if board is None:
        raise BoardNotFound(board_id)
    if board["revoked_at"] is None:
        await repo.change(session, board_id, revoked_at=utcnow())
    return _public(await repo.get(session, user_id, board_id))


async def open_board(session: AsyncSession, token: str, password: str | None) -> dict:
    """What a visitor with the link sees; raises BoardClosed, PasswordRequired or WrongPassword."""
    board = await repo.by_token(session, token)
    if board is None:
        raise BoardNotFound("link")
    now = utcnow()
    try:
        check_open(board, password, now)
    except WrongPassword as exc:
        await repo.change(session, board["id"], **after_wrong_password(board["failed_attempts"], now))
        raise KeepChanges(exc) from exc
    if board["failed_attempts"]:
        await repo.change(session, board["id"], failed_attempts=0)
    await repo.count_view(session, board["id"])
    return {"title": board["title"], "expires_at": board["expires_at"],
            "items": await repo.shown_assets(session, board["collection_id"])}
