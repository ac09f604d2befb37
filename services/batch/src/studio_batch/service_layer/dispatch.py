"""The window: each pass releases the next rows of every running batch, fairly across users, as
`operation.requested` events through the batch outbox. The decision and the event commit together, and
each row's operation id derives from batch, row and attempt, so a restart resumes from the database
without sending any row twice."""

from studio_batch.adapters import repository as repo
from studio_batch.domain.batches import IN_FLIGHT, row_operation_id
from studio_batch.domain.window import Window, plan_dispatch
from studio_common.db import Executor
from studio_common.events import OperationRequested
from studio_common.ids import as_utc, utcnow


async def open_windows(session: Executor, batch_id: str | None = None) -> list[Window]:
    windows = []
    for found, user_id, concurrency, last in await repo.running_batches(session, batch_id):
        free = concurrency - await repo.count_rows_in(session, found, IN_FLIGHT)
        if free <= 0:
            continue
        pending = await repo.next_pending(session, found, free)
        if pending:
            windows.append(Window(found, user_id, free, tuple(pending), as_utc(last) if last else None))
    return windows


async def release_rows(
    session: Executor, limit: int, batch_id: str | None = None
) -> list[OperationRequested]:
    """Mark the chosen rows as sent and return their events (the caller puts them in the outbox). With
    `batch_id`, only that batch's window is refilled (a row of it just ended)."""
    plan = plan_dispatch(await open_windows(session, batch_id), limit)
    now = utcnow()
    events: list[OperationRequested] = []
    users = {}
    for chosen, row_number in plan:
        row = await repo.row(session, chosen, row_number)
        if chosen not in users:
            users[chosen] = (await repo.get_batch(session, chosen))["user_id"]
        operation_id = row_operation_id(chosen, row_number, row["attempt"])
        await repo.set_row(
            session, chosen, row_number, status="queued", operation_id=operation_id, sent_at=now
        )
        request = row["request"]
        events.append(
            OperationRequested(
                operation_id=operation_id,
                user_id=users[chosen],
                domain=request["domain"],
                batch_id=chosen,
                batch_row=row_number,
                kind=request["kind"],
                provider=request["provider"],
                model=request["model"],
                units=request["units"],
                params=request["params"],
                inputs=request.get("inputs") or {},
                source_asset_id=request.get("source_asset_id"),
            )
        )
    for chosen in users:
        await repo.set_batch(session, chosen, last_dispatch_at=now)
    return events


async def release_now(runtime, limit: int) -> int:
    """One pass of the window in its own transaction; the API calls it right after a batch starts or
    resumes, so the first rows do not wait for the next timed pass."""
    async with runtime.transaction() as session:
        events = await release_rows(session, limit)
        await runtime.emit(session, *events)
    if events:
        runtime.relay.wake()
    return len(events)
