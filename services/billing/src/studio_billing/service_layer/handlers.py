"""Billing's reactions to operation events. Each runs in one transaction with its inbox record and the
events it emits (see ServiceRuntime.consume); each handler is registered explicitly in consumers.py."""

from datetime import timedelta

from studio_billing.adapters import holds as hold_store
from studio_billing.adapters import repository as repo
from studio_billing.domain.ledger import check_reservation, counted, settle
from studio_billing.domain.plans import PLANS, quota_category
from studio_billing.domain.pricing import PriceTable, PricingError
from studio_billing.service_layer import batch_holds
from studio_common import metrics, writes
from studio_common.db import Executor, dialect_name
from studio_common.events import (
    EventData,
    OperationApproved,
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
)
from studio_common.ids import as_utc, derived_id, utcnow


class Billing:
    def __init__(self, prices: PriceTable, hold_timeout: timedelta) -> None:
        self.prices = prices
        self.hold_timeout = hold_timeout

    async def on_requested(self, session: Executor, event: OperationRequested) -> list[EventData]:
        now = utcnow()
        account = await repo.lock_account(session, event.user_id, now)
        decided, canceled = await hold_store.decided_or_canceled(session, event.operation_id)
        if decided:
            return []  # decided already (a replay under a new event id, or a dead letter resolved)
        if canceled:
            return [OperationCanceled(**ids_of(event), reason="canceled before it was approved")]
        try:
            quote = self.prices.quote(event.kind, event.provider, event.model, event.units)
        except PricingError as exc:
            return [OperationRejected(**ids_of(event), reason="invalid_request", message=str(exc))]
        if event.batch_id:  # a batch row draws from its batch's reservation, never from the free balance
            rejection = await batch_holds.draw(session, event.batch_id, quote)
        else:
            used, spend = await repo.period_usage(session, event.user_id, as_utc(account["period_start"]))
            rejection = check_reservation(
                repo.balance_of(account),
                PLANS[account["plan"]],
                quote,
                used,
                spend,
                as_utc(account["period_end"]),
            )
        if rejection:
            return [
                OperationRejected(
                    **ids_of(event),
                    reason=rejection.reason,
                    message=rejection.message,
                    estimated_credits=quote.credits,
                    limit=rejection.limit,
                    usage=rejection.usage,
                    resets_at=rejection.resets_at,
                )
            ]
        hold_id = derived_id("hold", event.operation_id)
        deadline = now + self.hold_timeout
        request = event.model_dump(exclude={"type"})
        approved = OperationApproved(
            **request,
            hold_id=hold_id,
            credits=quote.credits,
            unit_credits=quote.unit_credits,
            deadline=deadline,
        )
        hold = dict(
            id=hold_id,
            operation_id=event.operation_id,
            user_id=event.user_id,
            domain=event.domain,
            batch_id=event.batch_id,
            kind=event.kind,
            provider=quote.provider,
            model=quote.model,
            quota_category=quota_category(event.kind),
            unit=quote.unit,
            units=quote.units,
            unit_credits=quote.unit_credits,
            credits=quote.credits,
            status="pending",
            started=False,
            units_delivered=0,
            charged=0,
            period_start=as_utc(account["period_start"]),
            created_at=now,
            expires_at=deadline,
            requeues=0,
            request=approved.model_dump(mode="json"),
        )
        reserving = [
            hold_store.adding(**hold),
            *repo.counting_usage(dialect_of(session), hold, counted(hold)),
        ]
        if not event.batch_id:  # a batch row's credits are already pending with its batch's reservation
            reserving.append(repo.changing_pending(event.user_id, quote.credits, now))
        # The account is locked already: none of these waits for another reservation or resolution.
        await writes.execute_together(session, reserving)
        if not event.batch_id:
            metrics.CREDITS.labels("reserved").inc(quote.credits)
        return [approved]

    async def on_completed(self, session: Executor, event: OperationCompleted) -> list[EventData]:
        return await self.resolve(session, event, "posted", event.units_delivered)

    async def on_failed(self, session: Executor, event: OperationFailed) -> list[EventData]:
        return await self.resolve(session, event, "voided", 0)

    async def on_canceled(self, session: Executor, event: OperationCanceled) -> list[EventData]:
        """A worker that stopped for a cancel before producing anything; billing's own cancels find the
        hold already voided."""
        return await self.resolve(session, event, "voided", 0)

    async def on_expired(self, session: Executor, event: OperationExpired) -> list[EventData]:
        return await self.resolve(session, event, "expired", 0)

    async def on_cancel_requested(
        self, session: Executor, event: OperationCancelRequested
    ) -> list[EventData]:
        # The hold's lock first, as every resolution takes it (then the account's): never the reverse order.
        hold = await repo.hold_for(session, event.operation_id, lock=True)
        if hold is None:
            # on_requested decides under the account's lock: once it is ours, a request deciding now has
            # either committed its hold, which the claim's check of remembered cancels stops, or will
            # find the cancel. The hold is not locked after the account: that would reverse the order.
            await repo.lock_account(session, event.user_id, utcnow())
        if hold is None or (hold["status"] == "pending" and hold["started"]):
            # Not yet requested, or running: remembered here, acted on by on_requested or the worker's claim.
            if not await cancel_requested(session, event.operation_id):
                await hold_store.remember_cancel(session, event.operation_id, utcnow())
            return []
        if hold["status"] != "pending":
            return []  # already resolved: too late to cancel
        settled = await self.resolve(session, event, "voided", 0)
        return [OperationCanceled(**ids_of(event)), *settled]

    async def resolve(self, session: Executor, event: EventData, status: str, units: int) -> list[EventData]:
        """Post or void the hold exactly once (I2); a second resolution finds it resolved and does nothing."""
        now = utcnow()
        # The hold's row lock is enough here: the account's totals only move by atomic increments, and
        # releasing credits can never overdraw (the account lock guards reservations, where I1 is decided).
        hold = await repo.hold_for(session, event.operation_id, lock=True)
        if hold is None or hold["status"] != "pending":
            return []
        outcome = settle(hold["credits"], hold["unit_credits"], units)
        resolved = {"status": status, "units_delivered": units, "charged": outcome.charged}
        # The hold is ours and the post entry new, so the account's row is the one write here that can wait.
        changed = hold_store.changing(hold["id"], **resolved, resolved_at=now)
        await writes.execute_together(session, [changed, *repo.settling(hold, outcome.charged, now)])
        # The account's row before the usage row, in the order a reservation takes them: no deadlock.
        await repo.count_usage(session, hold, counted({**hold, **resolved}) - counted(hold))
        metrics.CREDITS.labels("posted").inc(outcome.charged)
        metrics.CREDITS.labels("released").inc(outcome.released)
        return [
            OperationSettled(
                **ids_of(event), charged_credits=outcome.charged, released_credits=outcome.released
            )
        ]


async def cancel_requested(session: Executor, operation_id: str) -> bool:
    return await hold_store.cancel_remembered(session, operation_id)


def dialect_of(session: Executor) -> str:
    return dialect_name(session)


def ids_of(event: EventData) -> dict:
    return {
        "operation_id": event.operation_id,
        "user_id": event.user_id,
        "domain": event.domain,
        "batch_id": event.batch_id,
    }
