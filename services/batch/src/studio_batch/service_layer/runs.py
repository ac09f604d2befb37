"""Scheduled runs: a fire of a schedule becomes a run batch (for `at`, the submitted batch itself; for a
cron schedule, a copy of its valid rows under the run id), which is then funded and started like a
confirmed batch. A run the account cannot cover ends `failed` with billing's reason."""

import logging
from datetime import datetime, timedelta

from studio_batch.adapters import repository as repo
from studio_batch.adapters.billing import BillingClient, BillingRefused, BillingUnavailable
from studio_batch.service_layer import control, lifecycle
from studio_common.db import Executor
from studio_common.ids import utcnow
from studio_common.runtime import ServiceRuntime

log = logging.getLogger(__name__)
# A confirm still waiting this long for billing's answer was cut off (the API process died mid-call).
CONFIRM_GRACE = timedelta(seconds=30)


async def start_run(session: Executor, schedule_row: dict, fire_time: datetime, run_id: str) -> None:
    """The scheduling service's callback, inside the fire's transaction: make the run batch, waiting to
    be funded (state `scheduled` with a run id)."""
    template = await repo.get_batch(session, schedule_row["batch_id"], lock=True)
    if template is None or template["state"] == "canceled":
        return
    if schedule_row["kind"] == "at":
        await repo.set_batch(session, template["id"], run_id=run_id, schedule_id=schedule_row["id"])
        await lifecycle.run_started(session, template["id"])
        return
    now = utcnow()
    await repo.add_batch(
        session,
        now,
        id=run_id,
        user_id=template["user_id"],
        name=f"{template['name']} {fire_time:%Y-%m-%d %H:%M}Z",
        state="scheduled",
        concurrency=template["concurrency"],
        continue_on_error=template["continue_on_error"],
        schedule=template["schedule"],
        notify=template["notify"],
        schedule_id=schedule_row["id"],
        run_id=run_id,
        sealed=True,
        preview=template["preview"],
        cancel_requested=False,
        confirmed_at=now,
    )
    await repo.copy_pending_rows(session, template["id"], run_id, now)
    await repo.set_batch(session, run_id, total_rows=sum((await repo.row_counts(session, run_id)).values()))
    await lifecycle.run_started(session, run_id)


async def start_fired_runs(runtime: ServiceRuntime, billing: BillingClient) -> int:
    """Fund and start the runs that have fired, and finish confirms a crash cut off; returns how many
    started."""
    stale = utcnow() - CONFIRM_GRACE
    async with runtime.transaction() as session:
        waiting = await repo.waiting_to_start(session, stale)
    started = 0
    for batch_id, state in waiting:
        try:
            await control.start(runtime, billing, batch_id)
            started += 1
        except BillingUnavailable as exc:
            log.warning("batch %s waits for billing: %s", batch_id, exc)
        except BillingRefused as exc:
            if state == "confirming":  # a confirm cut off by a crash, now refused: the draft stays a draft
                await control.back_to_draft(runtime, batch_id)
            else:
                await _refused(runtime, batch_id, str(exc))
    return started


async def _refused(runtime: ServiceRuntime, batch_id: str, reason: str) -> None:
    async with runtime.transaction() as session:
        batch = await repo.get_batch(session, batch_id, lock=True)
        if batch["state"] != "scheduled":
            return
        await repo.set_batch(
            session, batch_id, state="failed", stop_reason=f"not funded: {reason}", finished_at=utcnow()
        )
        await lifecycle.batch_ended(session, batch_id, "failed")
