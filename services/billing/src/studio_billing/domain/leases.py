"""Where a pending hold stands in time: the one place that decides expiry and stalled work.

A hold is approved with a deadline to start (`expires_at`). A worker's claim starts it, moves the deadline
to the time it must finish by, and gives the worker a short lease that its heartbeats (claims again)
renew. A lease that lapses means the worker died or hung: the operation is queued again for another
worker while its deadline allows; after the deadline it fails (started) or expires (never started), and
nothing is charged either way.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from studio_common.ids import as_utc


class Standing(StrEnum):
    CLAIMABLE = "claimable"  # waiting for a worker, within its deadline
    EXPIRED = "expired"  # never started and its deadline passed
    LEASED = "leased"  # running, its worker's lease alive
    LAPSED = "lapsed"  # running, but its worker stopped renewing the lease
    TIMED_OUT = "timed_out"  # started, but not finished by its deadline


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    lease: timedelta  # how long a claim or heartbeat holds the operation for its worker
    running_timeout: timedelta  # how long a started operation may take in all


def standing(hold, now: datetime) -> Standing:
    """`hold` is a pending hold row (started, requeues, expires_at, lease_until)."""
    past_deadline = now > as_utc(hold["expires_at"])
    if not hold["started"]:
        if not past_deadline:
            return Standing.CLAIMABLE
        # Queued again after a stall and still not finished in time: it did start once.
        return Standing.TIMED_OUT if hold["requeues"] else Standing.EXPIRED
    if past_deadline:
        return Standing.TIMED_OUT
    lease_until = hold["lease_until"]
    if lease_until is not None and now > as_utc(lease_until):
        return Standing.LAPSED
    return Standing.LEASED


def may_take_over(hold, claimer: str, now: datetime) -> bool:
    """A worker may claim a waiting operation, (re)claim a running one it holds itself, or one whose lease
    lapsed."""
    state = standing(hold, now)
    if state in (Standing.CLAIMABLE, Standing.LAPSED):
        return True
    return state is Standing.LEASED and hold["claimed_by"] in (claimer, None)
