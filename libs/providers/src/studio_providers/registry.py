"""Chooses providers: the requested one, or for `auto` the catalog's ranking over the enabled providers.
Later providers join by registering an adapter; the pipeline does not change."""

from dataclasses import dataclass

from studio_common.catalog import auto_offers, find_offer
from studio_providers.base import Provider


@dataclass(frozen=True, slots=True)
class Choice:
    provider: Provider
    model: str


class ProviderRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, Provider] = {}
        self._healthy: dict[str, bool] = {}

    def register(self, provider: Provider) -> None:
        self._providers[provider.name] = provider
        self._healthy[provider.name] = True

    def names(self) -> list[str]:
        return list(self._providers)

    def get(self, name: str) -> Provider | None:
        return self._providers.get(name)

    def mark(self, name: str, healthy: bool) -> None:
        self._healthy[name] = healthy

    def plan(
        self, kind: str, provider: str, model: str, budget_per_unit: float | None = None
    ) -> list[Choice]:
        """The approved provider/model first, then fall-backs for the same kind that cost no more than
        what was reserved (a fall-back must never charge more than the hold covers)."""
        chosen = self._providers.get(provider)
        first = [Choice(chosen, model)] if chosen and chosen.supports(kind, model) else []
        approved = find_offer(provider, model)
        quality = approved.quality if approved else None
        fallbacks = []
        for offer in auto_offers(kind, self.names(), quality):
            if offer.provider == provider or not self._healthy.get(offer.provider, False):
                continue
            if budget_per_unit is not None and offer.list_price > budget_per_unit:
                continue
            adapter = self._providers[offer.provider]
            if adapter.supports(kind, offer.model) and all(
                c.provider.name != offer.provider for c in fallbacks
            ):
                fallbacks.append(Choice(adapter, offer.model))
        return first + fallbacks
