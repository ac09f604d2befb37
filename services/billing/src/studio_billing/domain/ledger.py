"""Ledger rules as pure functions: may this account reserve this quote, and what a settlement moves.

Balance identity (I1): available = granted - posted - pending, and a hold is placed only if it keeps
available >= 0. Holds resolve once: posted (possibly partially), voided or expired.
"""

from dataclasses import dataclass
from datetime import datetime

from studio_billing.domain.plans import Plan, quota_category
from studio_billing.domain.pricing import Quote


@dataclass(frozen=True, slots=True)
class Balance:
    granted: int
    posted: int
    pending: int

    @property
    def available(self) -> int:
        return self.granted - self.posted - self.pending


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str  # insufficient_credits | quota_exceeded | invalid_request
    message: str
    limit: int | None = None
    usage: int | None = None
    resets_at: datetime | None = None


def check_reservation(
    balance: Balance,
    plan: Plan,
    quote: Quote,
    quota_used: dict[str, int],
    period_spend: int,
    period_end: datetime,
) -> Rejection | None:
    needed = {quota_category(quote.kind): quota_units(quote.unit, quote.units)}
    return check_limits(balance, plan, quote.credits, needed, quota_used, period_spend, period_end)


def check_limits(
    balance: Balance,
    plan: Plan,
    credits: int,
    needed: dict[str, int],
    used: dict[str, int],
    period_spend: int,
    period_end: datetime,
    subject: str = "this",
) -> Rejection | None:
    """Quotas, then the spend cap, then the balance: the first that does not cover `credits` and the
    quota units `needed` per category. `subject` names what asks ("this", "this batch")."""
    for category, units in needed.items():
        limit = plan.quota(category)
        if units and limit is not None and used.get(category, 0) + units > limit:
            return Rejection(
                "quota_exceeded",
                f"the {plan.name} plan allows {limit} {category} a month; {used.get(category, 0)} used, "
                f"{subject} needs {units} more; resets {period_end:%Y-%m-%d}",
                limit=limit,
                usage=used.get(category, 0),
                resets_at=period_end,
            )
    if period_spend + credits > plan.spend_cap_credits:
        return Rejection(
            "quota_exceeded",
            f"the {plan.name} plan's monthly spend cap is {plan.spend_cap_credits} credits; "
            f"{period_spend} spent or reserved, {subject} needs {credits}",
            limit=plan.spend_cap_credits,
            usage=period_spend,
            resets_at=period_end,
        )
    if credits > balance.available:
        return Rejection(
            "insufficient_credits",
            f"{subject} costs {credits} credits; {balance.available} available",
            limit=balance.available,
            usage=credits,
        )
    return None


def quota_units(unit: str, units: int) -> int:
    """Images and edits count outputs; a video counts once whatever its length."""
    return min(units, 1) if unit == "second" else units


@dataclass(frozen=True, slots=True)
class Counted:
    """What one hold counts towards its period: quota units and credits against the spend cap."""

    units: int
    credits: int

    def __add__(self, other: "Counted") -> "Counted":
        return Counted(self.units + other.units, self.credits + other.credits)

    def __sub__(self, other: "Counted") -> "Counted":
        return Counted(self.units - other.units, self.credits - other.credits)


def counted(hold) -> Counted:
    """`hold` is a hold row (unit, status, units, credits, units_delivered, charged). A pending hold
    counts what it reserved, a posted one what it delivered and charged, a voided or expired one nothing."""
    if hold["status"] == "pending":
        return Counted(quota_units(hold["unit"], hold["units"]), hold["credits"])
    if hold["status"] == "posted":
        return Counted(quota_units(hold["unit"], hold["units_delivered"]), hold["charged"])
    return Counted(0, 0)


@dataclass(frozen=True, slots=True)
class Settlement:
    charged: int
    released: int


def settle(reserved: int, unit_credits: int, units_delivered: int) -> Settlement:
    """Charge only what was delivered, never more than was reserved (I3)."""
    charged = min(reserved, max(0, unit_credits * units_delivered))
    return Settlement(charged=charged, released=reserved - charged)
