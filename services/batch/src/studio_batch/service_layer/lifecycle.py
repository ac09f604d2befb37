"""What else happens when a batch's life changes: the owner is told (email, webhook) when a batch ends
and when a scheduled run starts. Runs inside the caller's transaction, so a notice is queued only
with the change it reports."""

from studio_batch.adapters import repository as repo
from studio_batch.service_layer import notifications
from studio_common.db import Executor

ENDED_EVENTS = {
    "completed": "batch.completed",
    "completed_with_errors": "batch.completed",
    "failed": "batch.failed",
    "canceled": "batch.canceled",
}


async def batch_ended(session: Executor, batch_id: str, state: str) -> None:
    await _notify(session, batch_id, ENDED_EVENTS[state])


async def run_started(session: Executor, batch_id: str) -> None:
    await _notify(session, batch_id, "schedule.run_started")


async def _notify(session: Executor, batch_id: str, event_type: str) -> None:
    batch = await repo.get_batch(session, batch_id)
    if not batch or not batch["notify"]:
        return
    await notifications.enqueue_for(session, batch, event_type)
