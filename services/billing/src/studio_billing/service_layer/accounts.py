"""Account queries and admin changes behind billing's internal HTTP API."""

from studio_billing.adapters import holds as hold_store
from studio_billing.adapters import repository as repo
from studio_billing.domain.ledger import check_reservation
from studio_billing.domain.plans import PLANS, QUOTA_CATEGORIES
from studio_billing.domain.pricing import PriceTable
from studio_common.db import Executor
from studio_common.ids import as_utc, derived_id, utcnow


async def balance(session: Executor, user_id: str) -> dict:
    account = await repo.lock_account(session, user_id, utcnow())
    b = repo.balance_of(account)
    return {
        "user_id": user_id,
        "plan": account["plan"],
        "available_credits": b.available,
        "pending_credits": b.pending,
        "granted_credits": b.granted,
        "posted_credits": b.posted,
        "period_start": as_utc(account["period_start"]),
        "period_end": as_utc(account["period_end"]),
    }


async def usage(session: Executor, user_id: str) -> dict:
    account = await repo.lock_account(session, user_id, utcnow())
    period_start = as_utc(account["period_start"])
    rows = await hold_store.usage_rows(session, user_id, period_start)
    by_kind: dict[tuple[str, str], dict] = {}
    for kind, provider, status, count, delivered, charged, reserved in rows:
        item = by_kind.setdefault(
            (kind, provider),
            {
                "kind": kind,
                "provider": provider,
                "operations": 0,
                "units": 0,
                "charged_credits": 0,
                "pending_credits": 0,
            },
        )
        item["operations"] += count
        item["units"] += int(delivered or 0)
        item["charged_credits"] += int(charged or 0)
        if status == "pending":
            item["pending_credits"] += int(reserved or 0)
    used, spend = await repo.period_usage(session, user_id, period_start)
    plan = PLANS[account["plan"]]
    quotas = {
        c: {"limit": "unlimited" if plan.quota(c) is None else plan.quota(c), "used": used.get(c, 0)}
        for c in QUOTA_CATEGORIES
    }
    return {
        "plan": plan.name,
        "period_start": period_start,
        "period_end": as_utc(account["period_end"]),
        "spend_credits": spend,
        "spend_cap_credits": plan.spend_cap_credits,
        "quotas": quotas,
        "by_kind": sorted(by_kind.values(), key=lambda i: (i["kind"], i["provider"])),
    }


async def grant(session: Executor, user_id: str, credits: int, reason: str, grant_id: str) -> dict:
    """Add credits outside the monthly grant; the same grant_id counts once however often it is sent."""
    now = utcnow()
    await repo.lock_account(session, user_id, now)
    await repo.add_entry(
        session,
        user_id,
        "topup",
        credits,
        now,
        entry_id=derived_id("topup", user_id, grant_id),
        reason=reason,
    )
    return await balance(session, user_id)


async def set_plan(session: Executor, user_id: str, plan: str) -> dict:
    """Change plan; the new plan's monthly credits are granted once for the current period."""
    now = utcnow()
    account = await repo.lock_account(session, user_id, now)
    if account["plan"] != plan:
        await repo.change_plan(session, user_id, plan, now)
        period = as_utc(account["period_start"]).isoformat()
        # Once per plan and period: switching back to a plan already granted this period adds nothing.
        await repo.add_entry(
            session,
            user_id,
            "grant",
            PLANS[plan].monthly_credits,
            now,
            entry_id=derived_id("plan-grant", user_id, plan, period),
            reason=f"plan change: {plan}",
        )
    return await balance(session, user_id)


async def estimate(
    session: Executor, prices: PriceTable, user_id: str, kind: str, provider: str, model: str, units: int
) -> dict:
    quote = prices.quote(kind, provider, model, units)
    account = await repo.lock_account(session, user_id, utcnow())
    used, spend = await repo.period_usage(session, user_id, as_utc(account["period_start"]))
    b = repo.balance_of(account)
    rejection = check_reservation(
        b, PLANS[account["plan"]], quote, used, spend, as_utc(account["period_end"])
    )
    return {
        "kind": kind,
        "provider": provider,
        "model": model,
        "unit": quote.unit,
        "units": quote.units,
        "credits_per_unit": quote.unit_credits,
        "estimated_credits": quote.credits,
        "estimated_usd": round(quote.credits / 100, 2),
        "available_credits": b.available,
        "covered": rejection is None,
        "would_reject": None
        if rejection is None
        else {"reason": rejection.reason, "message": rejection.message},
    }
