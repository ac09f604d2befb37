"""Batch reservations: one hold for a whole batch, rows drawing their own holds from it, and the rest
released once. Every change happens under the account's row lock (the same lock ordinary holds take),
so concurrent confirms and rows can never overdraw (I1); a batch hold resolves once (I2)."""

from datetime import datetime

from studio_billing.adapters import batch_hold_store as store
from studio_billing.adapters import repository as repo
from studio_billing.domain.batch_quotes import (
    BatchItem,
    BatchQuote,
    check_batch,
    check_draw,
    quotas_remaining,
    quote_batch,
)
from studio_billing.domain.ledger import Rejection
from studio_billing.domain.plans import PLANS, QUOTA_CATEGORIES, quota_category
from studio_billing.domain.pricing import PriceTable, Quote
from studio_common import metrics
from studio_common.db import Executor
from studio_common.ids import as_utc, utcnow


class BatchRejected(Exception):
    def __init__(self, rejection: Rejection, preview: dict) -> None:
        super().__init__(rejection.message)
        self.rejection, self.preview = rejection, preview


async def _assess(session: Executor, prices: PriceTable, user_id: str, items: list[BatchItem], now: datetime):
    quote = quote_batch(prices, items)
    account = await repo.lock_account(session, user_id, now)
    used, spend = await repo.period_usage(session, user_id, as_utc(account["period_start"]))
    plan = PLANS[account["plan"]]
    balance = repo.balance_of(account)
    rejection = check_batch(balance, plan, quote, used, spend, as_utc(account["period_end"]))
    preview = {
        "total_credits": quote.credits,
        "by_kind": quote.by("kind"),
        "by_provider": quote.by("provider"),
        "lines": quote.lines,
        "plan": plan.name,
        "available_credits": balance.available,
        "spend_credits": spend,
        "spend_cap_credits": plan.spend_cap_credits,
        "quotas_needed": quote.quota_units,
        "quotas_remaining": quotas_remaining(plan, used),
        "covered": rejection is None,
        "not_covered": None
        if rejection is None
        else {"reason": rejection.reason, "message": rejection.message},
    }
    return account, quote, rejection, preview


async def preview(session: Executor, prices: PriceTable, user_id: str, items: list[BatchItem]) -> dict:
    """What the batch would cost and whether it is covered now; nothing is reserved."""
    return (await _assess(session, prices, user_id, items, utcnow()))[3]


async def reserve(
    session: Executor,
    prices: PriceTable,
    hold_id: str,
    user_id: str,
    batch_id: str,
    items: list[BatchItem],
) -> dict:
    """Reserve the whole batch as one hold, or raise BatchRejected with the reason. The same hold id
    answers as the first time (a retried confirm reserves nothing more)."""
    now = utcnow()
    account = await repo.lock_account(session, user_id, now)
    existing = await store.get(session, hold_id)
    if existing is not None:
        return _view(existing)
    account, quote, rejection, preview_ = await _assess(session, prices, user_id, items, now)
    if rejection:
        raise BatchRejected(rejection, preview_)
    await store.add(
        session,
        id=hold_id,
        batch_id=batch_id,
        user_id=user_id,
        status="pending",
        credits=quote.credits,
        remaining_credits=quote.credits,
        released_credits=0,
        period_start=as_utc(account["period_start"]),
        created_at=now,
        **{f"remaining_{c}": quote.quota_units[c] for c in QUOTA_CATEGORIES},
    )
    await repo.change_pending(session, user_id, quote.credits, now)
    metrics.CREDITS.labels("reserved").inc(quote.credits)
    return _view(await store.get(session, hold_id)) | {"preview": preview_}


async def draw(session: Executor, batch_id: str, quote: Quote) -> Rejection | None:
    """Move one row's credits and quota units from its batch's open reservation to the row's own hold.
    The account's pending total does not change: the credits were pending already. Call under the
    account's lock (Billing.on_requested takes it)."""
    hold = await store.open_for_batch(session, batch_id)
    if hold is None:
        return Rejection(
            "insufficient_credits", "the batch has no open reservation (it ended or was canceled)"
        )
    remaining_units = {c: hold[f"remaining_{c}"] for c in QUOTA_CATEGORIES}
    rejection = check_draw(hold["remaining_credits"], remaining_units, quote)
    if rejection:
        return rejection
    units = 1 if quote.unit == "second" else quote.units  # a video counts once, whatever its length
    await store.take(session, hold["id"], quote.credits, quota_category(quote.kind), units)
    return None


async def release(session: Executor, hold_id: str) -> dict | None:
    """Release what is left of a batch hold, once; None if there is no such hold."""
    now = utcnow()
    hold = await store.get(session, hold_id)
    if hold is None:
        return None
    await repo.lock_account(session, hold["user_id"], now)
    hold = await store.get(session, hold_id, lock=True)
    if hold["status"] == "pending":
        left = hold["remaining_credits"]
        await store.change(
            session,
            hold_id,
            status="released",
            released_credits=left,
            remaining_credits=0,
            resolved_at=now,
            **{f"remaining_{c}": 0 for c in QUOTA_CATEGORIES},
        )
        await repo.change_pending(session, hold["user_id"], -left, now)
        metrics.CREDITS.labels("released").inc(left)
        hold = await store.get(session, hold_id)
    return _view(hold)


async def get(session: Executor, hold_id: str) -> dict | None:
    hold = await store.get(session, hold_id)
    return None if hold is None else _view(hold)


def _view(hold) -> dict:
    return {
        "hold_id": hold["id"],
        "batch_id": hold["batch_id"],
        "user_id": hold["user_id"],
        "status": hold["status"],
        "credits": hold["credits"],
        "remaining_credits": hold["remaining_credits"],
        "released_credits": hold["released_credits"],
    }


__all__ = ["BatchItem", "BatchQuote", "BatchRejected", "draw", "get", "preview", "release", "reserve"]
