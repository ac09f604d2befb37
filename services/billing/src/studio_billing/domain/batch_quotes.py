"""A whole batch priced at once: what its rows cost together, which quotas they use, and whether the
account can reserve all of it. Pure: the same rules as one operation (ledger.check_reservation), summed."""

from dataclasses import dataclass, field
from datetime import datetime

from studio_billing.domain.ledger import Balance, Rejection, check_limits
from studio_billing.domain.plans import QUOTA_CATEGORIES, Plan, quota_category
from studio_billing.domain.pricing import PriceTable, Quote


@dataclass(frozen=True, slots=True)
class BatchItem:
    """`count` rows of the same operation: kind, provider, model and units."""

    kind: str
    provider: str
    model: str
    units: int
    count: int


@dataclass
class BatchQuote:
    credits: int = 0
    quota_units: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUOTA_CATEGORIES, 0))
    lines: list[dict] = field(default_factory=list)

    def by(self, key: str) -> list[dict]:
        """Credits and rows summed by `kind` or `provider`."""
        totals: dict[str, dict] = {}
        for line in self.lines:
            item = totals.setdefault(line[key], {key: line[key], "rows": 0, "credits": 0})
            item["rows"] += line["rows"]
            item["credits"] += line["credits"]
        return sorted(totals.values(), key=lambda item: item[key])


def quota_units(quote: Quote) -> int:
    """Images and edits count outputs; a video counts once whatever its length (as ledger does)."""
    return 1 if quote.unit == "second" else quote.units


def quote_batch(prices: PriceTable, items: list[BatchItem]) -> BatchQuote:
    """Raises PricingError naming the first row kind that cannot be priced."""
    total = BatchQuote()
    for item in items:
        quote = prices.quote(item.kind, item.provider, item.model, item.units)
        credits = quote.credits * item.count
        total.credits += credits
        total.quota_units[quota_category(item.kind)] += quota_units(quote) * item.count
        total.lines.append(
            {
                "kind": item.kind,
                "provider": quote.provider,
                "model": quote.model,
                "units": quote.units,
                "rows": item.count,
                "unit_credits": quote.unit_credits,
                "credits": credits,
            }
        )
    return total


def quotas_remaining(plan: Plan, used: dict[str, int]) -> dict[str, int | str]:
    return {
        c: "unlimited" if plan.quota(c) is None else max(0, plan.quota(c) - used.get(c, 0))
        for c in QUOTA_CATEGORIES
    }


def check_batch(
    balance: Balance,
    plan: Plan,
    quote: BatchQuote,
    used: dict[str, int],
    period_spend: int,
    period_end: datetime,
) -> Rejection | None:
    """Quotas, then the spend cap, then the balance: the first that does not cover the whole batch."""
    return check_limits(
        balance, plan, quote.credits, quote.quota_units, used, period_spend, period_end, "this batch"
    )


def check_draw(remaining_credits: int, remaining_units: dict[str, int], quote: Quote) -> Rejection | None:
    """May one row take its hold from what is left of its batch's reservation?"""
    category = quota_category(quote.kind)
    if quote.credits > remaining_credits or quota_units(quote) > remaining_units.get(category, 0):
        return Rejection(
            "insufficient_credits",
            f"the batch's reservation has {remaining_credits} credits left; this row needs {quote.credits}",
            limit=remaining_credits,
            usage=quote.credits,
        )
    return None
