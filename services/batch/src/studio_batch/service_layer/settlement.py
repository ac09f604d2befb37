"""Money at the end of a batch: once a batch has ended, what is left of its reservation is released in
billing (once: billing resolves a batch hold a single time), and the batch records it."""

import logging

from studio_batch.adapters import repository as repo
from studio_batch.adapters.billing import BillingClient, BillingRefused, BillingUnavailable
from studio_common.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def release_ended(runtime: ServiceRuntime, billing: BillingClient) -> int:
    """Release the holds of ended batches; returns how many were released."""
    async with runtime.transaction() as session:
        ended = await repo.ended_with_open_holds(session)
    released = 0
    for batch_id, hold in ended:
        try:
            released += await release_batch_hold(runtime, billing, batch_id, hold)
        except (BillingUnavailable, BillingRefused) as exc:
            log.warning("releasing the hold of batch %s failed, will retry: %s", batch_id, exc)
    return released


async def release_batch_hold(
    runtime: ServiceRuntime, billing: BillingClient, batch_id: str, hold: str
) -> int:
    """Release one ended batch's hold and record what came back; 1 if this call recorded it."""
    answer = await billing.release(hold)
    async with runtime.transaction() as session:
        batch = await repo.get_batch(session, batch_id, lock=True)
        if not (batch["hold_open"] and batch["hold_id"] == hold):
            return 0
        await repo.set_batch(
            session,
            batch_id,
            hold_open=False,
            released_credits=batch["released_credits"] + answer["released_credits"],
        )
    return 1
