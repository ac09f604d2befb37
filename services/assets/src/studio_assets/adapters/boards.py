"""Reads and writes of share boards."""

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from studio_assets.adapters.tables import assets, collection_assets, share_boards
from studio_common.db import Executor
from studio_common.ids import as_utc

Board = dict[str, Any]


def _as_dict(row) -> Board:
    board = dict(row)
    for name in ("expires_at", "revoked_at", "locked_until", "created_at"):
        if board[name] is not None:
            board[name] = as_utc(board[name])
    return board


async def insert(session: Executor, values: dict) -> None:
    await session.execute(share_boards.insert().values(**values))


async def get(session: Executor, user_id: str, board_id: str) -> Board | None:
    row = (
        (
            await session.execute(
                select(share_boards).where(share_boards.c.user_id == user_id, share_boards.c.id == board_id)
            )
        )
        .mappings()
        .first()
    )
    return _as_dict(row) if row else None


async def by_token(session: Executor, token: str) -> Board | None:
    row = (
        (await session.execute(select(share_boards).where(share_boards.c.token == token))).mappings().first()
    )
    return _as_dict(row) if row else None


async def list_for(session: Executor, user_id: str) -> list[Board]:
    rows = (
        (
            await session.execute(
                select(share_boards)
                .where(share_boards.c.user_id == user_id)
                .order_by(share_boards.c.created_at.desc(), share_boards.c.id)
            )
        )
        .mappings()
        .all()
    )
    return [_as_dict(row) for row in rows]


async def change(session: Executor, board_id: str, **values: Any) -> None:
    await session.execute(update(share_boards).where(share_boards.c.id == board_id).values(**values))


async def reserve_attempt(session: Executor, board_id: str, now: datetime, limit: int) -> bool:
    """Count one password attempt before it is checked, in one statement (so parallel guesses cannot all
    read the same count); False when the board has no attempt left."""
    c = share_boards.c
    reserved = await session.execute(
        update(share_boards)
        .where(
            c.id == board_id, c.failed_attempts < limit, or_(c.locked_until.is_(None), c.locked_until <= now)
        )
        .values(failed_attempts=c.failed_attempts + 1)
        .returning(c.failed_attempts)
    )
    return reserved.first() is not None


async def lock_if_exhausted(session: Executor, board_id: str, limit: int, until: datetime) -> None:
    c = share_boards.c
    await session.execute(
        update(share_boards)
        .where(c.id == board_id, c.failed_attempts >= limit)
        .values(failed_attempts=0, locked_until=until)
    )


async def count_view(session: Executor, board_id: str) -> None:
    await change(session, board_id, view_count=share_boards.c.view_count + 1)


async def shown_assets(session: Executor, collection_id: str) -> list[dict]:
    """What a visitor sees: the collection's assets out of the trash, first added first."""
    rows = await session.execute(
        select(
            assets.c.id,
            assets.c.title,
            assets.c.type,
            assets.c.content_type,
            assets.c.width,
            assets.c.height,
            assets.c.bytes,
            assets.c.storage_key,
        )
        .join(collection_assets, collection_assets.c.asset_id == assets.c.id)
        .where(collection_assets.c.collection_id == collection_id, assets.c.deleted_at.is_(None))
        .order_by(collection_assets.c.added_at, assets.c.id)
    )
    return [dict(row) for row in rows.mappings().all()]
