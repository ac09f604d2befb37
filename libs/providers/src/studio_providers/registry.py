"""The worker's providers: the approved one first, then the fall-backs `studio_common.provider_choice`
ranks among the registered, healthy providers. Later providers join by registering an adapter; the
pipeline does not change."""

from dataclasses import dataclass

from studio_common.provider_choice import fallbacks
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
        healthy = [name for name in self.names() if self._healthy.get(name, False)]
        others = fallbacks(
            kind,
            provider,
            model,
            healthy,
            lambda offer: self._providers[offer.provider].supports(kind, offer.model),
            budget_per_unit,
        )
        return first + [Choice(self._providers[offer.provider], offer.model) for offer in others]
