"""Running work: workers claim an approved operation's hold before paying a provider, renew their lease
while they run (a heartbeat is a claim again), and the sweeper settles what stalled or ran out of time.
When each of these applies is decided in domain/leases.py alone."""

from studio_billing.adapters import holds as hold_store
from studio_billing.adapters import repository as repo
from studio_billing.domain.leases import LeaseTerms, Standing, may_take_over, standing
from studio_billing.service_layer.handlers import Billing, cancel_requested
from studio_common.db import Executor
from studio_common.events import EventData, OperationApproved, OperationExpired, OperationFailed
from studio_common.ids import utcnow


class Work:
    def __init__(self, billing: Billing, terms: LeaseTerms) -> None:
        self.billing, self.terms = billing, terms

    async def claim(self, session: Executor, operation_id: str, claimer: str) -> tuple[str, list[EventData]]:
        """Outcome: claimed | resumed (go ahead) | cancel_requested (stop before the next step) | leased
        (another worker holds it: try later) | canceled | voided | expired | posted (drop it) | unknown."""
        now = utcnow()
        lease = {"claimed_by": claimer, "lease_until": now + self.terms.lease}
        # The common case in one conditional UPDATE: a waiting hold, within its deadline.
        if await hold_store.start_waiting(
            session, operation_id, now, expires_at=now + self.terms.running_timeout, **lease
        ):
            return "claimed", []
        hold = await repo.hold_for(session, operation_id, lock=True)
        if hold is None:
            return "unknown", []
        if hold["status"] != "pending":
            return hold["status"], []
        state = standing(hold, now)
        if state in (Standing.EXPIRED, Standing.TIMED_OUT):
            return await self._out_of_time(session, hold, state)
        if not may_take_over(hold, claimer, now):
            return "leased", []
        if not hold["started"]:  # a first claim the conditional UPDATE left: a cancel is remembered
            lease["expires_at"] = now + self.terms.running_timeout
        await hold_store.change(session, hold["id"], started=True, **lease)
        return ("cancel_requested" if await cancel_requested(session, operation_id) else "resumed"), []

    async def claim_many(
        self, session: Executor, operation_ids: list[str], claimer: str
    ) -> tuple[dict[str, str], list[EventData]]:
        """Several claims of one worker in one transaction; each outcome as `claim` gives it. Holds are
        taken in operation order, so two batches that share holds wait for each other, never deadlock."""
        outcomes: dict[str, str] = {}
        emitted: list[EventData] = []
        for operation_id in sorted(set(operation_ids)):
            outcomes[operation_id], events = await self.claim(session, operation_id, claimer)
            emitted += events
        return outcomes, emitted

    async def sweep(self, session: Executor) -> list[EventData]:
        """Holds whose deadline passed end (expired or failed, nothing charged); running operations whose
        worker stopped renewing its lease are queued again for another worker."""
        now = utcnow()
        due = await hold_store.due(session, now)
        emitted: list[EventData] = []
        for hold in due:
            state = standing(hold, now)
            if state in (Standing.EXPIRED, Standing.TIMED_OUT):
                emitted += (await self._out_of_time(session, hold, state))[1]
            elif state is Standing.LAPSED:
                emitted.append(await self._queue_again(session, hold))
        return emitted

    async def _queue_again(self, session: Executor, hold) -> EventData:
        requeues = hold["requeues"] + 1
        await hold_store.change(
            session, hold["id"], started=False, claimed_by=None, lease_until=None, requeues=requeues
        )
        # A fresh event id (the outbox writes it once): consumers must not take it for the first approval.
        return OperationApproved.model_validate(hold["request"])

    async def _out_of_time(self, session: Executor, hold, state: Standing) -> tuple[str, list[EventData]]:
        ids = {key: hold[key] for key in ("operation_id", "user_id", "domain", "batch_id")}
        if state is Standing.EXPIRED:
            ended: EventData = OperationExpired(**ids)
            return "expired", [ended, *await self.billing.resolve(session, ended, "expired", 0)]
        ended = OperationFailed(
            **ids, code="timeout", message="the operation did not finish in time; nothing was charged"
        )
        return "voided", [ended, *await self.billing.resolve(session, ended, "voided", 0)]
