"""Billing's reactions to operation events. Each runs in one transaction with its inbox record and the
events it emits (see ServiceRuntime.handle_once); each handler is registered explicitly in consumers.py."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from studio_billing.adapters import repository as repo
from studio_billing.adapters.tables import cancellations, holds
from studio_billing.domain.ledger import check_reservation, settle
from studio_billing.domain.plans import PLANS, quota_category
from studio_billing.domain.pricing import PriceTable, PricingError
from studio_billing.service_layer import batch_holds
from studio_common import metrics
from studio_common.events import (
    EventData, OperationApproved, OperationCanceled, OperationCancelRequested, OperationCompleted,
    OperationExpired, OperationFailed, OperationRejected, OperationRequested, OperationSettled,
)
from studio_common.ids import as_utc, derived_id, utcnow


class Billing:
    def __init__(self, prices: PriceTable, hold_timeout: timedelta, running_timeout: timedelta) -> None:
        self.prices = prices
        self.hold_timeout = hold_timeout
        self.running_timeout = running_timeout

    async def on_requested(self, session: AsyncSession, event: OperationRequested) -> list[EventData]:
        now = utcnow()
        account = await repo.lock_account(session, event.user_id, now)
        if await _cancel_requested(session, event.operation_id):
            return [OperationCanceled(**_ids(event), reason="canceled before it was approved")]
        try:
            quote = self.prices.quote(event.kind, event.provider, event.model, event.units)
        except PricingError as exc:
            return [OperationRejected(**_ids(event), reason="invalid_request", message=str(exc))]
        if event.batch_id:  # a batch row draws from its batch's reservation, never from the free balance
            rejection = await batch_holds.draw(session, event.batch_id, quote)
        else:
            used, spend = await repo.period_usage(session, event.user_id, as_utc(account["period_start"]))
            rejection = check_reservation(repo.balance_of(account), PLANS[account["plan"]], quote, used, spend,
                                          as_utc(account["period_end"]))
        if rejection:
            return [OperationRejected(**_ids(event), reason=rejection.reason, message=rejection.message,
                                      estimated_credits=quote.credits, limit=rejection.limit,
                                      usage=rejection.usage, resets_at=rejection.resets_at)]
        hold_id = derived_id("hold", event.operation_id)
        deadline = now + self.hold_timeout
        await session.execute(holds.insert().values(
            id=hold_id, operation_id=event.operation_id, user_id=event.user_id, domain=event.domain,
            batch_id=event.batch_id, kind=event.kind,
            provider=quote.provider, model=quote.model, quota_category=quota_category(event.kind), unit=quote.unit,
            units=quote.units, unit_credits=quote.unit_credits, credits=quote.credits, status="pending",
            started=False, units_delivered=0, charged=0, period_start=as_utc(account["period_start"]),
            created_at=now, expires_at=deadline))
        if not event.batch_id:
            await repo.change_pending(session, event.user_id, quote.credits, now)
            metrics.CREDITS.labels("reserved").inc(quote.credits)
        request = event.model_dump(exclude={"type"})
        return [OperationApproved(**request, hold_id=hold_id, credits=quote.credits,
                                  unit_credits=quote.unit_credits, deadline=deadline)]

    async def claim(self, session: AsyncSession, operation_id: str) -> tuple[str, list[EventData]]:
        """A worker claims the hold before it pays a provider: this is what makes cancel-before-start and
        expiry exact. Returns the outcome (claimed | resumed | cancel_requested | canceled | voided | expired |
        posted | unknown) and any events to emit. The common case is one conditional UPDATE of the hold row.

        Workers claim again before each further step of a multi-step operation; `cancel_requested` then
        tells them to stop and deliver only what is done."""
        now = utcnow()
        claimed = await session.execute(
            update(holds).where(holds.c.operation_id == operation_id, holds.c.status == "pending",
                                holds.c.started.is_(False), holds.c.expires_at >= now)
            .values(started=True, expires_at=now + self.running_timeout))
        if claimed.rowcount == 1:
            return "claimed", []
        hold = await repo.hold_for(session, operation_id)
        if hold is None:
            return "unknown", []
        if hold["status"] != "pending":
            return hold["status"], []
        if hold["started"]:
            return ("cancel_requested" if await _cancel_requested(session, operation_id) else "resumed"), []
        expired = OperationExpired(operation_id=operation_id, user_id=hold["user_id"], domain=hold["domain"],
                                   batch_id=hold["batch_id"])
        return "expired", [expired, *await self._resolve(session, expired, "expired", 0)]

    async def on_completed(self, session: AsyncSession, event: OperationCompleted) -> list[EventData]:
        return await self._resolve(session, event, "posted", event.units_delivered)

    async def on_failed(self, session: AsyncSession, event: OperationFailed) -> list[EventData]:
        return await self._resolve(session, event, "voided", 0)

    async def on_canceled(self, session: AsyncSession, event: OperationCanceled) -> list[EventData]:
        """A worker that stopped for a cancel before producing anything; billing's own cancels find the
        hold already voided."""
        return await self._resolve(session, event, "voided", 0)

    async def on_expired(self, session: AsyncSession, event: OperationExpired) -> list[EventData]:
        return await self._resolve(session, event, "expired", 0)

    async def on_cancel_requested(self, session: AsyncSession, event: OperationCancelRequested) -> list[EventData]:
        await repo.lock_account(session, event.user_id, utcnow())
        hold = await repo.hold_for(session, event.operation_id, lock=True)
        if hold is None or (hold["status"] == "pending" and hold["started"]):
            # Not yet requested, or running: remembered here, acted on by on_requested or the worker's claim.
            if not await _cancel_requested(session, event.operation_id):
                await session.execute(cancellations.insert().values(operation_id=event.operation_id,
                                                                    created_at=utcnow()))
            return []
        if hold["status"] != "pending":
            return []  # already resolved: too late to cancel
        settled = await self._resolve(session, event, "voided", 0)
        return [OperationCanceled(**_ids(event)), *settled]

    async def _resolve(self, session: AsyncSession, event: EventData, status: str, units: int) -> list[EventData]:
        """Post or void the hold exactly once (I2); a second resolution finds it resolved and does nothing."""
        now = utcnow()
        # The hold's row lock is enough here: the account's totals only move by atomic increments, and
        # releasing credits can never overdraw (the account lock guards reservations, where I1 is decided).
        hold = await repo.hold_for(session, event.operation_id, lock=True)
        if hold is None or hold["status"] != "pending":
            return []
        outcome = settle(hold["credits"], hold["unit_credits"], units)
        await session.execute(update(holds).where(holds.c.id == hold["id"]).values(
            status=status, units_delivered=units, charged=outcome.charged, resolved_at=now))
        await repo.settle_hold(session, hold, outcome.charged, now)
        metrics.CREDITS.labels("posted").inc(outcome.charged)
        metrics.CREDITS.labels("released").inc(outcome.released)
        return [OperationSettled(**_ids(event), charged_credits=outcome.charged, released_credits=outcome.released)]

    async def expire_overdue(self, session: AsyncSession) -> list[EventData]:
        """The sweeper: holds whose deadline passed resolve as expired (not started) or voided (stuck)."""
        now = utcnow()
        overdue = (await session.execute(
            select(holds.c.operation_id, holds.c.user_id, holds.c.domain, holds.c.batch_id, holds.c.started)
            .where(holds.c.status == "pending", holds.c.expires_at < now).limit(200))).all()
        emitted: list[EventData] = []
        for operation_id, user_id, domain, batch_id, started in overdue:
            ids = {"operation_id": operation_id, "user_id": user_id, "domain": domain, "batch_id": batch_id}
            if started:
                emitted += [OperationFailed(**ids, code="timeout", message="the operation did not finish in time"),
                            *await self._resolve(session, OperationFailed(**ids, code="timeout", message=""),
                                                 "voided", 0)]
            else:
                emitted += [OperationExpired(**ids), *await self._resolve(session, OperationExpired(**ids),
                                                                          "expired", 0)]
        return emitted


async def _cancel_requested(session: AsyncSession, operation_id: str) -> bool:
    query = select(cancellations.c.operation_id).where(cancellations.c.operation_id == operation_id)
    found = await session.scalar(query)
    return found is not None


def _ids(event: EventData) -> dict:
    return {"operation_id": event.operation_id, "user_id": event.user_id, "domain": event.domain,
            "batch_id": event.batch_id}
