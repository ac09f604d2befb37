"""Reads and writes of schedules and of their fires (one row per fire, keyed by its run id)."""

from datetime import datetime

from sqlalchemy import func, select, update

from studio_batch.adapters.schedule_tables import schedule_fires, schedules
from studio_batch.adapters.tables import batches
from studio_common.db import Executor

SHOWN_FIRES = 50  # the latest fires shown with a schedule


async def add(session: Executor, **values) -> None:
    await session.execute(schedules.insert().values(**values))


async def owned(session: Executor, user_id: str, schedule_id: str, lock: bool = False):
    """The user's schedule unless deleted, or None: another user's looks missing (I6)."""
    query = select(schedules).where(
        schedules.c.id == schedule_id, schedules.c.user_id == user_id, schedules.c.state != "deleted"
    )
    return (await session.execute(query.with_for_update() if lock else query)).mappings().first()


async def of_user(session: Executor, user_id: str) -> list:
    query = (
        select(schedules)
        .where(schedules.c.user_id == user_id, schedules.c.state != "deleted")
        .order_by(schedules.c.created_at.desc())
    )
    return list((await session.execute(query)).mappings().all())


async def change(session: Executor, schedule_id: str, missed: int = 0, **values) -> None:
    """Set `values`; `missed` more fires are added to the schedule's missed count in the same UPDATE."""
    if missed:
        values["missed_count"] = schedules.c.missed_count + missed
    await session.execute(update(schedules).where(schedules.c.id == schedule_id).values(**values))


async def due(session: Executor, now: datetime, limit: int) -> list:
    """Active schedules due by `now`, soonest first, locked; those another replica holds are skipped."""
    query = (
        select(schedules)
        .where(schedules.c.state == "active", schedules.c.next_fire_at <= now)
        .order_by(schedules.c.next_fire_at)
        .limit(limit)
        # Ignored by SQLite, whose BEGIN IMMEDIATE already made this transaction the only writer.
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).mappings().all())


async def count_runs(session: Executor, schedule_id: str, template_id: str, states: tuple[str, ...]) -> int:
    """The schedule's runs (not its template batch) in one of `states`."""
    query = select(func.count()).select_from(batches)
    return await session.scalar(
        query.where(
            batches.c.schedule_id == schedule_id, batches.c.id != template_id, batches.c.state.in_(states)
        )
    )


async def fires(session: Executor, schedule_id: str) -> list:
    """The schedule's latest fires, newest first."""
    query = (
        select(schedule_fires)
        .where(schedule_fires.c.schedule_id == schedule_id)
        .order_by(schedule_fires.c.fire_time.desc())
        .limit(SHOWN_FIRES)
    )
    return list((await session.execute(query)).mappings().all())


async def fire_recorded(session: Executor, run_id: str) -> bool:
    return bool(
        await session.scalar(select(schedule_fires.c.run_id).where(schedule_fires.c.run_id == run_id))
    )


async def add_fire(session: Executor, **values) -> None:
    await session.execute(schedule_fires.insert().values(**values))


async def change_fire(session: Executor, run_id: str, **values) -> None:
    await session.execute(update(schedule_fires).where(schedule_fires.c.run_id == run_id).values(**values))
