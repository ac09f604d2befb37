"""Chooses providers: the requested one, or for `auto` the catalog's ranking over the enabled providers.
Later providers join by registering an adapter; the pipeline does not change. Providers in an outage
(`health.py`) are skipped as fall-backs, and the approved one is tried after the healthy fall-backs."""

from dataclasses import dataclass

from studio_common.catalog import auto_offers, find_offer
from studio_providers.base import Provider
from studio_providers.health import ProviderHealth


@dataclass(frozen=True, slots=True)
class Choice:
    provider: Provider
    model: str


class ProviderRegistry:
    def __init__(self, health: ProviderHealth | None = None) -> None:
        self._providers: dict[str, Provider] = {}
        self.health = health or ProviderHealth()  # the runner reports every provider call to it

    def register(self, provider: Provider) -> None:
        self._providers[provider.name] = provider

    def names(self) -> list[str]:
        return list(self._providers)

    def get(self, name: str) -> Provider | None:
        return self._providers.get(name)

    def plan(
        self, kind: str, provider: str, model: str, budget_per_unit: float | None = None
    ) -> list[Choice]:
        """The approved provider/model first, then fall-backs for the same kind that cost no more than
        what was reserved (a fall-back must never charge more than the hold covers). Unhealthy providers
        are left out of the fall-backs; an unhealthy approved one moves behind them, as the last resort,
        so no operation is refused for health alone."""
        chosen = self._providers.get(provider)
        first = [Choice(chosen, model)] if chosen and chosen.supports(kind, model) else []
        approved = find_offer(provider, model)
        quality = approved.quality if approved else None
        fallbacks = []
        for offer in auto_offers(kind, self.names(), quality):
            if offer.provider == provider or not self.health.is_healthy(offer.provider):
                continue
            if budget_per_unit is not None and offer.list_price > budget_per_unit:
                continue
            adapter = self._providers[offer.provider]
            if adapter.supports(kind, offer.model) and all(
                c.provider.name != offer.provider for c in fallbacks
            ):
                fallbacks.append(Choice(adapter, offer.model))
        if first and not self.health.is_healthy(provider):
            return fallbacks + first
        return first + fallbacks
