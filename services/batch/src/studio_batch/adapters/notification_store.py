"""Reads and writes of notifications (one per event and channel) and of their delivery attempts."""

from datetime import datetime

from sqlalchemy import select, update

from studio_batch.adapters.notify_tables import delivery_attempts, notifications
from studio_common.db import Executor


async def exists(session: Executor, notification_id: str) -> bool:
    found = await session.scalar(select(notifications.c.id).where(notifications.c.id == notification_id))
    return found is not None


async def add(session: Executor, **values) -> None:
    await session.execute(notifications.insert().values(**values))


async def change(session: Executor, notification_id: str, **values) -> None:
    await session.execute(update(notifications).where(notifications.c.id == notification_id).values(**values))


async def due(session: Executor, now: datetime, limit: int) -> list:
    """Pending notifications due by `now`, soonest first, locked; those another replica holds are skipped."""
    query = (
        select(notifications)
        .where(notifications.c.status == "pending", notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).mappings().all())


async def add_attempt(session: Executor, **values) -> None:
    await session.execute(delivery_attempts.insert().values(**values))


async def of_batch(session: Executor, batch_id: str) -> tuple[list, list]:
    """The batch's notifications (oldest first) and all their attempts (in attempt order)."""
    sent = (
        select(notifications)
        .where(notifications.c.batch_id == batch_id)
        .order_by(notifications.c.created_at, notifications.c.channel)
    )
    tried = (
        select(delivery_attempts)
        .where(delivery_attempts.c.batch_id == batch_id)
        .order_by(delivery_attempts.c.attempt)
    )
    return (
        list((await session.execute(sent)).mappings().all()),
        list((await session.execute(tried)).mappings().all()),
    )
