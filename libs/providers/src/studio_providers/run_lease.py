"""What billing's claims say about a running operation, as the worker running it acts on them.

Billing decides (its claim endpoint, domain/leases.py); the worker only reads the answer. A claim made
before a further step, or as a heartbeat while a step runs, answers:
- claimed, resumed: the operation is still this worker's, go on. (`claimed` mid-run: the sweeper queued it
  again after a lapse and this worker took it back first; the queued copy then finds it leased.)
- cancel_requested: still this worker's, but the user canceled: no further step; what is done is delivered.
- leased: this worker's lease lapsed and another worker claimed the operation. That worker owns the run
  and its completion now: this one stops at the next step boundary and publishes nothing more.
- voided, expired, posted: the operation is final (voided: timed out, failed, dead-lettered or canceled
  before it ran; expired; posted: settled). Billing resolves a hold once and ignores any later event about
  it, so this worker stops and publishes nothing. Any other answer counts the same: no step is paid for
  without billing's go-ahead.
A worker that lost the operation stops its heartbeat too, so it never renews or takes back a lease that
belongs to the other worker. A provider call in flight is not interrupted: it was paid for, and its output
is stored under keys derived from the operation id and output index, which the other worker re-uses (or
overwrites with the same keys) when it reaches that step.
"""

import asyncio
import contextlib
import logging

from studio_common.bus.faults import TransientError
from studio_common.claims import HoldClaims

log = logging.getLogger(__name__)

GO_ON = frozenset({"claimed", "resumed"})
CANCEL_REQUESTED = "cancel_requested"
LEASED = "leased"  # at the first claim: another worker runs it now, so the message is tried again later


class RunLease:
    """This worker's standing on one running operation, updated by every claim it makes."""

    def __init__(self, claims: HoldClaims, operation_id: str, heartbeat_seconds: float) -> None:
        self.claims, self.operation_id, self.heartbeat_seconds = claims, operation_id, heartbeat_seconds
        self.canceled = False
        self.lost: str | None = None  # the answer that took the operation from this worker

    @property
    def stopped(self) -> bool:
        """No further step may be paid for."""
        return self.canceled or self.lost is not None

    def record(self, outcome: str) -> None:
        if outcome == CANCEL_REQUESTED:
            self.canceled = True
        else:
            self._note_loss(outcome)

    async def check(self) -> None:
        """Ask billing before paying for one more step."""
        self.record(await self.claims.claim(self.operation_id))

    def _note_loss(self, outcome: str) -> None:
        if outcome not in GO_ON and outcome != CANCEL_REQUESTED and self.lost is None:
            log.info(
                "operation %s is %s: this worker stops and publishes nothing more", self.operation_id, outcome
            )
            self.lost = outcome

    @contextlib.asynccontextmanager
    async def heartbeat(self):
        """Renew the lease while a step runs, so a long provider call is not taken for a dead worker."""
        task = asyncio.create_task(self._beat())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat(self) -> None:
        # A cancel heard here is left to the claim before the next step, which asks again anyway.
        while self.lost is None:
            await asyncio.sleep(self.heartbeat_seconds)
            # When the step ends, the heartbeat is cancelled but its request in flight is not: httpcore
            # (1.0) leaks a pool slot for a request cancelled while the pool is busy, and under a burst
            # the leaked slots ran the worker's claims into PoolTimeout. The request finishes on its own.
            claim = asyncio.ensure_future(self.claims.claim(self.operation_id))
            claim.add_done_callback(_consume_outcome)
            try:
                self._note_loss(await asyncio.shield(claim))
            except TransientError as exc:  # billing away: the lease may lapse and the work be re-queued
                log.warning("heartbeat for %s failed: %s", self.operation_id, exc)


def _consume_outcome(claim: asyncio.Future) -> None:
    """A heartbeat's claim outlives a cancelled heartbeat: its answer or error is not needed any more."""
    if not claim.cancelled():
        claim.exception()
