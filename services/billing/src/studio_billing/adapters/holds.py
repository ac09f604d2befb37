"""Reads and writes of holds (one per operation) and of remembered cancel requests. The account's totals
move in repository.py; a hold changes here under its own row lock (repository.hold_for(lock=True))."""

from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from studio_billing.adapters.tables import cancellations, holds

SWEEP_BATCH = 200  # holds one sweep looks at; the next sweep takes the rest


# Hot-path statements built once, values as parameters: no clause is compiled per event.
_ADD = holds.insert()
_CHANGE = update(holds).where(holds.c.id == bindparam("hold_id"))
_START_WAITING = (
    update(holds)
    .where(
        holds.c.operation_id == bindparam("waiting_operation"),
        holds.c.status == "pending",
        holds.c.started.is_(False),
        holds.c.expires_at >= bindparam("now"),
        ~exists().where(cancellations.c.operation_id == bindparam("waiting_operation")),
    )
    .values(started=True)  # and the lease's columns, from the parameters
)
_CANCEL_REMEMBERED = select(cancellations.c.operation_id).where(
    cancellations.c.operation_id == bindparam("operation_id")
)


async def add(session: AsyncSession, **values) -> None:
    await session.execute(_ADD, values)


async def change(session: AsyncSession, hold_id: str, **values) -> None:
    await session.execute(_CHANGE, {**values, "hold_id": hold_id})


async def start_waiting(session: AsyncSession, operation_id: str, now: datetime, **values) -> bool:
    """Start the operation's hold if it waits to be claimed within its deadline and no cancel of it is
    remembered, in one conditional UPDATE (the common case of a claim); False if it is not such a hold."""
    started = await session.execute(_START_WAITING, {**values, "waiting_operation": operation_id, "now": now})
    return started.rowcount == 1


async def due(session: AsyncSession, now: datetime) -> list:
    """Pending holds past their deadline or lease, locked; those another sweeper holds are skipped."""
    query = (
        select(holds)
        .where(holds.c.status == "pending", (holds.c.expires_at < now) | (holds.c.lease_until < now))
        .order_by(holds.c.expires_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).mappings().all())


async def usage_rows(session: AsyncSession, user_id: str, period_start: datetime) -> list:
    """(kind, provider, status, count, units delivered, charged, reserved) for the user's period."""
    query = (
        select(
            holds.c.kind,
            holds.c.provider,
            holds.c.status,
            func.count(),
            func.sum(holds.c.units_delivered),
            func.sum(holds.c.charged),
            func.sum(holds.c.credits),
        )
        .where(holds.c.user_id == user_id, holds.c.period_start == period_start)
        .group_by(holds.c.kind, holds.c.provider, holds.c.status)
    )
    return list((await session.execute(query)).all())


async def remember_cancel(session: AsyncSession, operation_id: str, now: datetime) -> None:
    await session.execute(cancellations.insert().values(operation_id=operation_id, created_at=now))


async def cancel_remembered(session: AsyncSession, operation_id: str) -> bool:
    return await session.scalar(_CANCEL_REMEMBERED, {"operation_id": operation_id}) is not None
