"""Reads and writes of the batch tables."""

from datetime import datetime

from sqlalchemy import and_, delete, func, insert, literal, or_, select, update

from studio_batch.adapters.tables import batch_rows, batches
from studio_batch.domain.batches import FINAL_STATES
from studio_common.db import Executor, dialect_name
from studio_common.ids import utcnow


async def get_batch(session: Executor, batch_id: str, user_id: str | None = None, lock: bool = False):
    """The batch (the user's own, when a user is given), or None: another user's looks missing (I6)."""
    query = select(batches).where(batches.c.id == batch_id)
    if user_id is not None:
        query = query.where(batches.c.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def set_batch(session: Executor, batch_id: str, **values) -> None:
    await session.execute(
        update(batches).where(batches.c.id == batch_id).values(**values, updated_at=utcnow())
    )


async def row_counts(session: Executor, batch_id: str) -> dict[str, int]:
    rows = (
        await session.execute(
            select(batch_rows.c.status, func.count())
            .where(batch_rows.c.batch_id == batch_id)
            .group_by(batch_rows.c.status)
        )
    ).all()
    return {status: count for status, count in rows}


async def row_money(session: Executor, batch_id: str) -> tuple[int, int]:
    """Credits charged for the batch's rows and released from their holds, earlier attempts included."""
    charged, released = (
        await session.execute(
            select(
                func.coalesce(func.sum(batch_rows.c.credits), 0),
                func.coalesce(func.sum(batch_rows.c.released_credits), 0),
            ).where(batch_rows.c.batch_id == batch_id)
        )
    ).one()
    history = (
        (
            await session.execute(
                select(batch_rows.c.history).where(
                    batch_rows.c.batch_id == batch_id, batch_rows.c.history.is_not(None)
                )
            )
        )
        .scalars()
        .all()
    )
    for attempts in history:
        for attempt in attempts:
            charged += int(attempt.get("credits") or 0)
            released += int(attempt.get("released_credits") or 0)
    return int(charged), int(released)


async def row_by_operation(session: Executor, operation_id: str, lock: bool = False):
    query = select(batch_rows).where(batch_rows.c.operation_id == operation_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def set_row(session: Executor, batch_id: str, row_number: int, **values) -> None:
    await session.execute(
        update(batch_rows)
        .where(batch_rows.c.batch_id == batch_id, batch_rows.c.row_number == row_number)
        .values(**values, updated_at=utcnow())
    )


async def priced_items(session: Executor, batch_id: str, statuses: tuple[str, ...]) -> list[dict]:
    """The rows to pay for, grouped as billing prices them: kind, provider, model, units and count."""
    c = batch_rows.c
    rows = (
        await session.execute(
            select(c.kind, c.provider, c.model, c.units, func.count())
            .where(c.batch_id == batch_id, c.status.in_(statuses))
            .group_by(c.kind, c.provider, c.model, c.units)
        )
    ).all()
    return [{"kind": k, "provider": p, "model": m, "units": u, "count": n} for k, p, m, u, n in rows]


# A new batch has no rows and nothing reserved yet.
NEW_BATCH = {
    "total_rows": 0,
    "invalid_rows": 0,
    "reservation": 0,
    "hold_open": False,
    "reserved_credits": 0,
    "released_credits": 0,
}


async def add_batch(session: Executor, now: datetime, **values) -> None:
    await session.execute(batches.insert().values(**NEW_BATCH, created_at=now, updated_at=now, **values))


async def remove_batch(session: Executor, batch_id: str) -> None:
    """The batch and its rows."""
    await session.execute(delete(batch_rows).where(batch_rows.c.batch_id == batch_id))
    await session.execute(delete(batches).where(batches.c.id == batch_id))


async def batches_page(
    session: Executor, user_id: str, schedule_id: str | None, page: int, page_size: int
) -> tuple[list, int]:
    """One page of the user's batches (of one schedule, if given), newest first, and how many in all."""
    where = [batches.c.user_id == user_id]
    if schedule_id:
        where.append(batches.c.schedule_id == schedule_id)
    total = await session.scalar(select(func.count()).select_from(batches).where(*where))
    query = (
        select(batches)
        .where(*where)
        .order_by(batches.c.created_at.desc(), batches.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list((await session.execute(query)).mappings().all()), total


async def ended_with_open_holds(session: Executor, limit: int = 100) -> list:
    """(batch id, hold id) of ended batches whose reservation is still open."""
    query = (
        select(batches.c.id, batches.c.hold_id)
        .where(batches.c.hold_open.is_(True), batches.c.state.in_(FINAL_STATES))
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def add_rows(session: Executor, rows: list[dict]) -> None:
    await session.execute(insert(batch_rows), rows)


async def rows_page(
    session: Executor,
    batch_id: str,
    statuses: list[str] | None,
    changed_since: datetime | None,
    page: int,
    page_size: int,
) -> tuple[list, int]:
    """One page of the batch's rows in row order, and how many match in all."""
    where = [batch_rows.c.batch_id == batch_id]
    if statuses:
        where.append(batch_rows.c.status.in_(statuses))
    if changed_since is not None:
        where.append(batch_rows.c.updated_at > changed_since)
    total = await session.scalar(select(func.count()).select_from(batch_rows).where(*where))
    query = (
        select(batch_rows)
        .where(*where)
        .order_by(batch_rows.c.row_number)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list((await session.execute(query)).mappings().all()), total


async def rows_in(session: Executor, batch_id: str, statuses: tuple[str, ...]) -> list:
    query = select(batch_rows).where(batch_rows.c.batch_id == batch_id, batch_rows.c.status.in_(statuses))
    return list((await session.execute(query)).mappings().all())


async def change_rows(session: Executor, batch_id: str, statuses: tuple[str, ...], **values) -> None:
    """Change every row of the batch in one of `statuses`."""
    await session.execute(
        update(batch_rows)
        .where(batch_rows.c.batch_id == batch_id, batch_rows.c.status.in_(statuses))
        .values(**values)
    )


async def running_batches(session: Executor, batch_id: str | None = None) -> list:
    """(id, user id, concurrency, last dispatch) of batches whose rows may start (just `batch_id`'s, if
    given). On PostgreSQL each is locked and one another replica holds is skipped: replicas share work."""
    query = select(batches.c.id, batches.c.user_id, batches.c.concurrency, batches.c.last_dispatch_at).where(
        batches.c.state == "running", batches.c.cancel_requested.is_(False), batches.c.stop_reason.is_(None)
    )
    if batch_id is not None:
        query = query.where(batches.c.id == batch_id)
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).all())


async def count_rows_in(session: Executor, batch_id: str, statuses: tuple[str, ...]) -> int:
    query = select(func.count()).select_from(batch_rows)
    return await session.scalar(
        query.where(batch_rows.c.batch_id == batch_id, batch_rows.c.status.in_(statuses))
    )


async def next_pending(session: Executor, batch_id: str, limit: int) -> list[int]:
    """The row numbers of the batch's first `limit` pending rows."""
    query = (
        select(batch_rows.c.row_number)
        .where(batch_rows.c.batch_id == batch_id, batch_rows.c.status == "pending")
        .order_by(batch_rows.c.row_number)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars().all())


async def row(session: Executor, batch_id: str, row_number: int):
    query = select(batch_rows).where(batch_rows.c.batch_id == batch_id, batch_rows.c.row_number == row_number)
    return (await session.execute(query)).mappings().one()


ROW_REQUEST_COLUMNS = ("row_number", "name", "kind", "domain", "provider", "model", "units", "request")


async def copy_pending_rows(session: Executor, source_id: str, target_id: str, now: datetime) -> None:
    """Copy the source batch's pending rows into the target batch as new first attempts."""
    copied = select(
        literal(target_id),
        *(batch_rows.c[c] for c in ROW_REQUEST_COLUMNS),
        literal("pending"),
        literal(1),
        literal(now),
    ).where(batch_rows.c.batch_id == source_id, batch_rows.c.status == "pending")
    columns = ["batch_id", *ROW_REQUEST_COLUMNS, "status", "attempt", "updated_at"]
    await session.execute(insert(batch_rows).from_select(columns, copied))


async def waiting_to_start(session: Executor, confirming_before: datetime, limit: int = 20) -> list:
    """(id, state) of fired runs waiting to be funded, and of confirms begun before `confirming_before`
    that never finished (a crash cut them off)."""
    query = select(batches.c.id, batches.c.state).where(
        or_(
            and_(batches.c.state == "scheduled", batches.c.run_id.is_not(None)),
            and_(batches.c.state == "confirming", batches.c.updated_at < confirming_before),
        )
    )
    return list((await session.execute(query.limit(limit))).all())
