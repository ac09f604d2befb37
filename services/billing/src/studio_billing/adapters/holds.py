"""Reads and writes of holds (one per operation) and of remembered cancel requests. The account's totals
move in repository.py; a hold changes here under its own row lock (repository.hold_for(lock=True))."""

from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update

from studio_billing.adapters.tables import cancellations, holds
from studio_common import writes
from studio_common.db import Executor
from studio_common.writes import Write

SWEEP_BATCH = 200  # holds one sweep looks at; the next sweep takes the rest


# Hot-path statements built once, values as parameters: no clause is compiled per event.
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
_DECIDED_OR_CANCELED = select(
    exists().where(holds.c.operation_id == bindparam("operation_id")),
    exists().where(cancellations.c.operation_id == bindparam("operation_id")),
)


def adding(**values) -> Write:
    """The insert of a new hold, for `writes.execute_together` with the writes beside it."""
    return writes.inserting(holds, values, "hold_")


def changing(hold_id: str, **values) -> Write:
    return writes.updating(holds, "id", hold_id, values, "change_")


async def add(session: Executor, **values) -> None:
    await session.execute(*adding(**values))


async def change(session: Executor, hold_id: str, **values) -> None:
    await session.execute(*changing(hold_id, **values))


async def start_waiting(session: Executor, operation_id: str, now: datetime, **values) -> bool:
    """Start the operation's hold if it waits to be claimed within its deadline and no cancel of it is
    remembered, in one conditional UPDATE (the common case of a claim); False if it is not such a hold."""
    started = await session.execute(_START_WAITING, {**values, "waiting_operation": operation_id, "now": now})
    return started.rowcount == 1


async def due(session: Executor, now: datetime) -> list:
    """Pending holds past their deadline or lease, locked; those another sweeper holds are skipped."""
    query = (
        select(holds)
        .where(holds.c.status == "pending", (holds.c.expires_at < now) | (holds.c.lease_until < now))
        .order_by(holds.c.expires_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).mappings().all())


async def usage_rows(session: Executor, user_id: str, period_start: datetime) -> list:
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


async def remember_cancel(session: Executor, operation_id: str, now: datetime) -> None:
    await session.execute(cancellations.insert().values(operation_id=operation_id, created_at=now))


async def cancel_remembered(session: Executor, operation_id: str) -> bool:
    return await session.scalar(_CANCEL_REMEMBERED, {"operation_id": operation_id}) is not None


async def decided_or_canceled(session: Executor, operation_id: str) -> tuple[bool, bool]:
    """Whether the operation has a hold already, and whether a cancel of it is remembered: one read."""
    decided, canceled = (await session.execute(_DECIDED_OR_CANCELED, {"operation_id": operation_id})).one()
    return bool(decided), bool(canceled)
