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
    category = quota_category(quote.kind)
    limit = plan.quota(category)
    used = quota_used.get(category, 0)
    if limit is not None and used + _quota_units(quote) > limit:
        return Rejection(
            "quota_exceeded",
            f"the {plan.name} plan allows {limit} {category} a month; {used} used, "
            f"this needs {_quota_units(quote)} more; resets {period_end:%Y-%m-%d}",
            limit=limit,
            usage=used,
            resets_at=period_end,
        )
    if period_spend + quote.credits > plan.spend_cap_credits:
        return Rejection(
            "quota_exceeded",
            f"the {plan.name} plan's monthly spend cap is {plan.spend_cap_credits} credits; "
            f"{period_spend} spent or reserved, this needs {quote.credits}",
            limit=plan.spend_cap_credits,
            usage=period_spend,
            resets_at=period_end,
        )
    if quote.credits > balance.available:
        return Rejection(
            "insufficient_credits",
            f"this costs {quote.credits} credits; {balance.available} available",
            limit=balance.available,
            usage=quote.credits,
        )
    return None


def _quota_units(quote: Quote) -> int:
    """Images and edits count outputs; a video counts once whatever its length."""
    return 1 if quote.unit == "second" else quote.units


@dataclass(frozen=True, slots=True)
class Settlement:
    charged: int
    released: int


def settle(reserved: int, unit_credits: int, units_delivered: int) -> Settlement:
    """Charge only what was delivered, never more than was reserved (I3)."""
    charged = min(reserved, max(0, unit_credits * units_delivered))
    return Settlement(charged=charged, released=reserved - charged)
