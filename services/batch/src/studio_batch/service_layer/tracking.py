"""The batch's consumer handlers: operation events of its rows move the rows, and a batch whose rows are
all final ends (completed, completed_with_errors, failed or canceled). Each handler is
`async def on_x(session, event) -> list[EventData]`, run once per event inside the runtime's transaction."""

from studio_batch.adapters import repository as repo
from studio_batch.domain.batches import FINAL_ROW, final_state, row_change
from studio_batch.service_layer import dispatch, lifecycle
from studio_common.db import Executor
from studio_common.events import EventData, OperationSettled
from studio_common.ids import utcnow


async def on_operation_event(session: Executor, event: EventData) -> list[EventData]:
    found = await repo.row_by_operation(session, event.operation_id)
    if found is None:
        return []  # an earlier attempt's late event, or not one of ours
    # The batch first, then the row: the order every writer of both takes, so none waits on another in
    # a cycle.
    await repo.get_batch(session, found["batch_id"], lock=True)
    row = await repo.row_by_operation(session, event.operation_id, lock=True)
    changes = row_change(row["status"], event)
    if not changes:
        return []
    final = changes.get("status") in FINAL_ROW
    await repo.set_row(
        session, row["batch_id"], row["row_number"], **changes, **({"finished_at": utcnow()} if final else {})
    )
    if not final:
        return []
    batch = await repo.get_batch(session, row["batch_id"], lock=True)
    if changes["status"] == "failed" and not batch["continue_on_error"] and not batch["stop_reason"]:
        await _stop(session, row["batch_id"], row["row_number"])
    if await finish_if_done(session, row["batch_id"]):
        return []
    # The row's slot is free: the next row of this batch goes out in this transaction, without waiting for
    # the window's next pass.
    return await dispatch.release_rows(session, batch["concurrency"], row["batch_id"])


async def on_settled(session: Executor, event: OperationSettled) -> list[EventData]:
    """What billing charged for the row's current attempt (earlier attempts keep theirs in history)."""
    row = await repo.row_by_operation(session, event.operation_id, lock=True)
    if row is not None:
        await repo.set_row(
            session,
            row["batch_id"],
            row["row_number"],
            credits=event.charged_credits,
            released_credits=event.released_credits,
        )
    return []


async def _stop(session: Executor, batch_id: str, row_number: int) -> None:
    """continue_on_error is off: no further rows start; those running finish."""
    reason = f"row {row_number} failed and continue_on_error is off"
    await repo.set_batch(session, batch_id, stop_reason=reason)
    await repo.change_rows(
        session,
        batch_id,
        ("pending",),
        status="canceled",
        error=f"not started: {reason}",
        updated_at=utcnow(),
    )


async def finish_if_done(session: Executor, batch_id: str) -> str | None:
    """End the batch once no row is pending or in flight; returns the final state it took, if any."""
    batch = await repo.get_batch(session, batch_id, lock=True)
    if batch is None or batch["state"] not in ("running", "paused"):
        return None
    state = final_state(
        await repo.row_counts(session, batch_id), batch["cancel_requested"], bool(batch["stop_reason"])
    )
    if state is None:
        return None
    await repo.set_batch(session, batch_id, state=state, finished_at=utcnow())
    await lifecycle.batch_ended(session, batch_id, state)
    return state
