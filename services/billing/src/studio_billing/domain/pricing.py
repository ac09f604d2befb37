"""The one price table: estimates, holds, charges and the public provider list all read it."""

import math
from dataclasses import dataclass

from studio_common.catalog import PROVIDERS, ModelOffer, find_offer


class PricingError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Quote:
    provider: str
    model: str
    kind: str
    unit: str
    units: int
    unit_credits: int
    credits: int


class PriceTable:
    def __init__(self, margin: float = 0.0, overrides: dict[str, float] | None = None) -> None:
        """`margin` is the operator's mark-up (0.2 = +20 %); `overrides` maps "provider/model" to list
        prices."""
        self.margin = margin
        self.overrides = overrides or {}

    def unit_credits(self, offer: ModelOffer) -> int:
        list_price = self.overrides.get(f"{offer.provider}/{offer.model}", offer.list_price)
        return max(1, math.ceil(round(list_price * (1 + self.margin), 6)))

    def quote(self, kind: str, provider: str, model: str, units: int) -> Quote:
        offer = find_offer(provider, model)
        if offer is None:
            raise PricingError(f"unknown model {model!r} for provider {provider!r}")
        if kind not in offer.kinds:
            raise PricingError(f"{provider}/{model} does not offer {kind}")
        if units < 1:
            raise PricingError("units must be at least 1")
        billed_units = max(units, offer.minimum_units)
        unit_credits = self.unit_credits(offer)
        return Quote(
            provider, model, kind, offer.unit, billed_units, unit_credits, unit_credits * billed_units
        )

    def rows(self) -> list[dict]:
        return [
            {
                "provider": o.provider,
                "model": o.model,
                "kinds": list(o.kinds),
                "unit": o.unit,
                "credits_per_unit": self.unit_credits(o),
                "minimum_units": o.minimum_units,
                "quality": o.quality,
            }
            for p in PROVIDERS
            for o in p.models
        ]
