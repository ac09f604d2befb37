"""Which providers are worth trying now, judged by how their recent calls went.

A provider that fails transiently (rate limited, unreachable, 5xx: a retryable error it did not bill)
several times in a row is taken as unhealthy, and the chooser stops offering it as a fall-back. After a
cool-down it is offered again; one success makes it healthy, one more failure starts another cool-down.
Errors about the request itself (refused content, bad input) say nothing about the provider's health.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from studio_providers.base import ProviderError

FAILURES_BEFORE_UNHEALTHY = 3
COOL_DOWN_SECONDS = 30.0


def is_outage(error: ProviderError) -> bool:
    """A failure that says the provider is down or overloaded, not that the request was wrong."""
    return error.retryable and not error.charged


@dataclass
class ProviderHealth:
    failures_before_unhealthy: int = FAILURES_BEFORE_UNHEALTHY
    cool_down_seconds: float = COOL_DOWN_SECONDS
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _last_failure: dict[str, float] = field(default_factory=dict)

    def succeeded(self, provider: str) -> None:
        self._failures.pop(provider, None)
        self._last_failure.pop(provider, None)

    def failed(self, provider: str, error: ProviderError) -> None:
        if not is_outage(error):
            return
        self._failures[provider] = self._failures.get(provider, 0) + 1
        self._last_failure[provider] = self.clock()

    def is_healthy(self, provider: str) -> bool:
        if self._failures.get(provider, 0) < self.failures_before_unhealthy:
            return True
        return self.clock() - self._last_failure[provider] >= self.cool_down_seconds
