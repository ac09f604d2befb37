"""Which rows go out next: a sliding window per batch (at most `concurrency` rows in flight) and
round-robin across users, so one user's 10,000-row batch cannot starve another user's 10 rows."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Window:
    batch_id: str
    user_id: str
    free_slots: int  # concurrency minus rows in flight
    pending: tuple[int, ...]  # row numbers waiting, in order
    last_dispatch_at: datetime | None = None


def plan_dispatch(windows: list[Window], limit: int) -> list[tuple[str, int]]:
    """Up to `limit` (batch id, row number) pairs: one row per user per turn, the least recently served
    user first; within a user, their batches take turns too."""
    per_user: dict[str, list[list]] = defaultdict(list)
    served: dict[str, datetime | None] = {}
    for window in windows:
        take = min(window.free_slots, len(window.pending))
        if take <= 0:
            continue
        per_user[window.user_id].append([window.batch_id, list(window.pending[:take])])
        last = window.last_dispatch_at
        if window.user_id not in served or (
            last is not None and (served[window.user_id] is None or last > served[window.user_id])
        ):
            served[window.user_id] = last
    order = sorted(per_user, key=lambda user: (served[user] is not None, served[user] or datetime.min, user))
    plan: list[tuple[str, int]] = []
    turn = 0
    while len(plan) < limit and any(per_user[user] for user in order):
        for user in order:
            queues = per_user[user]
            if not queues or len(plan) >= limit:
                continue
            batch = queues[turn % len(queues)]
            plan.append((batch[0], batch[1].pop(0)))
            if not batch[1]:
                queues.remove(batch)
        turn += 1
    return plan
