"""Monthly plans: the credits they grant and the quotas they allow. Unlimited is explicit, never 0."""

import calendar
from dataclasses import dataclass
from datetime import datetime

UNLIMITED = None  # a quota of None means unlimited; it is rendered as "unlimited"

QUOTA_CATEGORIES = ("images", "edits", "videos")


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    price_usd: int
    monthly_credits: int
    images: int | None
    edits: int | None
    videos: int | None
    spend_cap_credits: int

    def quota(self, category: str) -> int | None:
        return getattr(self, category)

    def to_dict(self) -> dict:
        return {
            "plan": self.name,
            "price_usd": self.price_usd,
            "monthly_credits": self.monthly_credits,
            "spend_cap_credits": self.spend_cap_credits,
            "quotas": {
                c: ("unlimited" if self.quota(c) is UNLIMITED else self.quota(c)) for c in QUOTA_CATEGORIES
            },
        }


PLANS = {
    "free": Plan("free", 0, 200, 10, 5, 2, 200),
    "basic": Plan("basic", 29, 2_500, 25, 25, 10, 2_500),
    "pro": Plan("pro", 79, 8_000, 100, 100, 30, 10_000),
    "enterprise": Plan("enterprise", 199, 25_000, UNLIMITED, UNLIMITED, UNLIMITED, 50_000),
}
DEFAULT_PLAN = "free"


def quota_category(kind: str) -> str:
    """Which plan quota an operation counts against."""
    family = kind.split(".", 1)[0]
    if family in ("create", "control"):
        return "images"
    if family == "transform":
        return "videos"
    return "edits"


def period_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month containing `now` (UTC): monthly grants and quotas reset at its end."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    end = start.replace(day=days, hour=23, minute=59, second=59, microsecond=999999)
    return start, end
