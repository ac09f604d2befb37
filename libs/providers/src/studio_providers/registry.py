"""The worker's providers: the approved one first, then the fall-backs `studio_common.provider_choice`
ranks among the registered, healthy providers. Later providers join by registering an adapter; the
pipeline does not change. Providers in an outage (`health.py`) are skipped as fall-backs, and the
approved one is tried after the healthy fall-backs."""

from dataclasses import dataclass

from studio_common.provider_choice import fallbacks
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
        healthy = [name for name in self.names() if self.health.is_healthy(name)]
        others = fallbacks(
            kind,
            provider,
            model,
            healthy,
            lambda offer: self._providers[offer.provider].supports(kind, offer.model),
            budget_per_unit,
        )
        backups = [Choice(self._providers[offer.provider], offer.model) for offer in others]
        if first and not self.health.is_healthy(provider):
            return backups + first
        return first + backups
