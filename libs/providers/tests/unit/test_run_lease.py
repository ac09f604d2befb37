"""What each claim answer means to the worker running the operation, and the heartbeat that hears it."""

import asyncio

import pytest

from studio_providers.run_lease import RunLease
from studio_providers.testing.claims import ScriptedClaims


@pytest.mark.parametrize("outcome", ["claimed", "resumed"])
def test_an_operation_still_this_workers_goes_on(outcome):
    lease = RunLease(ScriptedClaims(outcome), "op", 5.0)
    lease.record(outcome)
    assert not lease.stopped and lease.lost is None


def test_a_cancel_stops_further_steps_without_losing_the_operation():
    lease = RunLease(ScriptedClaims("cancel_requested"), "op", 5.0)
    lease.record("cancel_requested")
    assert lease.stopped and lease.canceled and lease.lost is None


@pytest.mark.parametrize("outcome", ["leased", "voided", "expired", "canceled", "posted"])
async def test_a_takeover_or_a_final_operation_is_lost_to_this_worker(outcome):
    lease = RunLease(ScriptedClaims(outcome), "op", 5.0)
    await lease.check()
    assert lease.stopped and lease.lost == outcome and not lease.canceled


async def test_the_first_loss_is_kept():
    lease = RunLease(ScriptedClaims("leased", "posted"), "op", 5.0)
    await lease.check()
    await lease.check()
    assert lease.lost == "leased"


async def test_a_heartbeat_that_hears_of_a_loss_records_it_and_beats_no_more():
    claims = ScriptedClaims("resumed", "leased", "resumed")
    lease = RunLease(claims, "op", 0.05)
    async with lease.heartbeat():
        await asyncio.sleep(0.4)
    assert lease.lost == "leased" and claims.calls == 2


async def test_a_heartbeat_leaves_a_cancel_to_the_claim_before_the_next_step():
    lease = RunLease(ScriptedClaims("cancel_requested"), "op", 0.05)
    async with lease.heartbeat():
        await asyncio.sleep(0.2)
    assert not lease.stopped


async def test_a_heartbeat_stopped_mid_claim_lets_the_request_finish():
    """Cancelling an HTTP request while the pool is busy leaks the pool's slot; the request must end on
    its own even though the step, and so the heartbeat, is over."""
    finished = asyncio.Event()

    class SlowBilling:
        async def claim(self, operation_id: str) -> str:
            await asyncio.sleep(0.2)
            finished.set()
            return "resumed"

    lease = RunLease(SlowBilling(), "op", 0.01)
    async with lease.heartbeat():
        await asyncio.sleep(0.05)  # the first beat's claim is in flight when the step ends
    assert not finished.is_set()
    await asyncio.wait_for(finished.wait(), 1)
    assert not lease.stopped
