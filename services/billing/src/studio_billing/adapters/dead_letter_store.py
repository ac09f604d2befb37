"""Reads and writes of the dead letters billing records (one row per message, counted on each return)."""

from sqlalchemy import func, select, update

from studio_billing.adapters.tables import dead_letters
from studio_common.db import Executor


async def times_seen(session: Executor, letter_id: str) -> int:
    """How often the letter came already; 0 for a new one."""
    return await session.scalar(select(dead_letters.c.times).where(dead_letters.c.id == letter_id)) or 0


async def add(session: Executor, **values) -> None:
    await session.execute(dead_letters.insert().values(**values))


async def change(session: Executor, letter_id: str, **values) -> None:
    await session.execute(update(dead_letters).where(dead_letters.c.id == letter_id).values(**values))


async def latest(session: Executor, status: str | None, limit: int) -> list:
    query = select(dead_letters).order_by(dead_letters.c.last_seen.desc()).limit(limit)
    if status:
        query = query.where(dead_letters.c.status == status)
    return list((await session.execute(query)).mappings().all())


async def one(session: Executor, letter_id: str):
    return (
        (await session.execute(select(dead_letters).where(dead_letters.c.id == letter_id))).mappings().first()
    )


async def counts(session: Executor) -> dict[tuple[str, str], int]:
    """Letters by queue and status."""
    query = select(dead_letters.c.queue, dead_letters.c.status, func.count()).group_by(
        dead_letters.c.queue, dead_letters.c.status
    )
    return {(queue, status): count for queue, status, count in (await session.execute(query)).all()}
