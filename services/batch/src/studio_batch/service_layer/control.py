"""What a user does to a batch: confirm (reserve it all, then run), pause, resume, cancel, retry the
failed rows. Billing is called outside any database transaction; its hold ids derive from the batch and
the reservation number, so a repeated call reserves nothing twice."""

from studio_batch.adapters import repository as repo
from studio_batch.adapters.billing import BillingClient, BillingRefused, BillingUnavailable
from studio_batch.domain.batches import IN_FLIGHT, hold_id
from studio_batch.service_layer.drafts import BatchConflict, BatchNotFound
from studio_batch.service_layer.settlement import release_batch_hold
from studio_batch.service_layer.tracking import finish_if_done
from studio_common.events import OperationCancelRequested
from studio_common.ids import utcnow
from studio_common.runtime import ServiceRuntime


async def _owned(session, user_id: str, batch_id: str, lock: bool = True):
    batch = await repo.get_batch(session, batch_id, user_id, lock=lock)
    if batch is None:
        raise BatchNotFound(f"no batch {batch_id}")
    return batch


async def confirm(
    runtime: ServiceRuntime,
    billing: BillingClient,
    user_id: str,
    batch_id: str,
    skip_invalid: bool,
    schedule_batch=None,
) -> None:
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["state"] != "draft":
            if batch["state"] in ("confirming", "running", "scheduled"):
                return  # confirmed already: a repeated confirm changes nothing
            raise BatchConflict(f"the batch is {batch['state']}; only a draft can be confirmed")
        if not batch["sealed"]:
            raise BatchConflict("the batch is still receiving rows")
        if batch["invalid_rows"] and not skip_invalid:
            raise BatchConflict(
                f"{batch['invalid_rows']} row(s) have errors: fix them, or confirm with "
                f"skip_invalid to run the others"
            )
        if batch["invalid_rows"] == batch["total_rows"]:
            raise BatchConflict("no row is valid: nothing to run")
        if batch["schedule"]:
            await _skip_invalid(session, batch_id)
            schedule = await schedule_batch(session, batch)
            await repo.set_batch(
                session, batch_id, state="scheduled", schedule_id=schedule["id"], confirmed_at=utcnow()
            )
            return
        # Recorded before billing is asked: if this process dies before the answer is stored, the
        # start loop finishes the confirm with the same reservation number (billing answers it again).
        await repo.set_batch(session, batch_id, state="confirming")
    try:
        await start(runtime, billing, batch_id)
    except (BillingRefused, BillingUnavailable):
        await back_to_draft(runtime, batch_id)
        raise


async def back_to_draft(runtime: ServiceRuntime, batch_id: str) -> None:
    """Billing did not reserve the batch: it stays a draft, to confirm again later."""
    async with runtime.transaction() as session:
        batch = await repo.get_batch(session, batch_id, lock=True)
        if batch["state"] == "confirming":
            await repo.set_batch(session, batch_id, state="draft")


async def start(runtime: ServiceRuntime, billing: BillingClient, batch_id: str) -> None:
    """Reserve the batch's pending rows as one hold, then let the window release them. Raises
    BillingRefused (nothing reserved, the batch unchanged) when the account does not cover them."""
    async with runtime.transaction() as session:
        batch = await repo.get_batch(session, batch_id)
        items = await repo.priced_items(session, batch_id, ("pending",))
        reservation = batch["reservation"] + 1
    reserved = await billing.reserve(hold_id(batch_id, reservation), batch["user_id"], batch_id, items)
    async with runtime.transaction() as session:
        batch = await repo.get_batch(session, batch_id, lock=True)
        if batch["reservation"] >= reservation:
            return  # another confirm recorded this reservation first
        if batch["state"] not in (
            "draft",
            "confirming",
            "scheduled",
        ):  # canceled meanwhile: the hold goes back
            await repo.set_batch(
                session,
                batch_id,
                reservation=reservation,
                hold_id=reserved["hold_id"],
                hold_open=True,
                reserved_credits=batch["reserved_credits"] + reserved["credits"],
            )
            return
        await _skip_invalid(session, batch_id)
        now = utcnow()
        await repo.set_batch(
            session,
            batch_id,
            state="running",
            reservation=reservation,
            hold_id=reserved["hold_id"],
            hold_open=True,
            reserved_credits=batch["reserved_credits"] + reserved["credits"],
            confirmed_at=batch["confirmed_at"] or now,
            started_at=batch["started_at"] or now,
            finished_at=None,
        )


async def _skip_invalid(session, batch_id: str) -> None:
    await repo.change_rows(session, batch_id, ("invalid",), status="skipped", updated_at=utcnow())


async def pause(runtime: ServiceRuntime, user_id: str, batch_id: str) -> None:
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["state"] not in ("running", "paused"):
            raise BatchConflict(f"the batch is {batch['state']}; only a running batch can be paused")
        await repo.set_batch(session, batch_id, state="paused")


async def resume(runtime: ServiceRuntime, user_id: str, batch_id: str) -> None:
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["state"] not in ("running", "paused"):
            raise BatchConflict(f"the batch is {batch['state']}; only a paused batch can be resumed")
        await repo.set_batch(session, batch_id, state="running")


async def cancel(runtime: ServiceRuntime, user_id: str, batch_id: str) -> None:
    """Pending rows are canceled; running ones are asked to stop (they end canceled, or finish if in their
    last step); the batch ends `canceled` once they have, and its hold's remainder is released."""
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["state"] in ("completed", "completed_with_errors", "failed", "canceled"):
            return
        now = utcnow()
        stopped = {
            "status": "canceled",
            "error": "canceled by the user",
            "updated_at": now,
            "finished_at": now,
        }
        await repo.change_rows(session, batch_id, ("pending", "invalid"), **stopped)
        in_flight = [
            (row["operation_id"], row["domain"]) for row in await repo.rows_in(session, batch_id, IN_FLIGHT)
        ]
        await runtime.emit(
            session,
            *(
                OperationCancelRequested(operation_id=op, user_id=user_id, domain=domain, batch_id=batch_id)
                for op, domain in in_flight
            ),
        )
        if batch["state"] in ("draft", "confirming", "scheduled"):
            await repo.set_batch(session, batch_id, state="canceled", cancel_requested=True, finished_at=now)
        else:
            await repo.set_batch(session, batch_id, cancel_requested=True)
            await finish_if_done(session, batch_id)
    runtime.relay.wake()


async def retry(runtime: ServiceRuntime, billing: BillingClient, user_id: str, batch_id: str) -> int:
    """Run the failed rows again as new attempts, funded by a new reservation; the earlier attempts stay
    in each row's history. Returns how many rows were retried."""
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["state"] not in ("completed_with_errors", "failed", "canceled"):
            raise BatchConflict(f"the batch is {batch['state']}; failed rows are retried once it has ended")
        open_hold = batch["hold_id"] if batch["hold_open"] else None
        items = await repo.priced_items(session, batch_id, ("failed",))
        reservation = batch["reservation"] + 1
    if not items:
        raise BatchConflict("no failed rows to retry")
    if open_hold:  # the previous reservation's remainder goes back first: one open hold per batch
        await release_batch_hold(runtime, billing, batch_id, open_hold)
    reserved = await billing.reserve(hold_id(batch_id, reservation), user_id, batch_id, items)
    async with runtime.transaction() as session:
        batch = await _owned(session, user_id, batch_id)
        if batch["reservation"] >= reservation:
            return 0
        failed = await repo.rows_in(session, batch_id, ("failed",))
        for row in failed:
            attempt = {
                "attempt": row["attempt"],
                "operation_id": row["operation_id"],
                "status": row["status"],
                "error": row["error"],
                "credits": row["credits"],
                "released_credits": row["released_credits"],
                "finished_at": row["finished_at"].isoformat() if row["finished_at"] else None,
            }
            await repo.set_row(
                session,
                batch_id,
                row["row_number"],
                status="pending",
                attempt=row["attempt"] + 1,
                operation_id=None,
                error=None,
                outputs=None,
                credits=0,
                released_credits=0,
                sent_at=None,
                finished_at=None,
                history=[*(row["history"] or []), attempt],
            )
        await repo.set_batch(
            session,
            batch_id,
            state="running",
            reservation=reservation,
            hold_id=reserved["hold_id"],
            hold_open=True,
            cancel_requested=False,
            stop_reason=None,
            reserved_credits=batch["reserved_credits"] + reserved["credits"],
            finished_at=None,
        )
    return len(failed)
