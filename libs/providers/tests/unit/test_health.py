"""Provider health: consecutive outages make a provider unhealthy; a success or a cool-down ends it."""

from studio_providers.base import ProviderError
from studio_providers.health import ProviderHealth

RATE_LIMITED = ProviderError("rate_limited", "429", retryable=True)


def health_at(now: list[float]) -> ProviderHealth:
    return ProviderHealth(failures_before_unhealthy=3, cool_down_seconds=30, clock=lambda: now[0])


def test_three_outages_in_a_row_make_a_provider_unhealthy():
    now = [0.0]
    health = health_at(now)
    health.failed("p", RATE_LIMITED)
    health.failed("p", RATE_LIMITED)
    assert health.is_healthy("p")
    health.failed("p", RATE_LIMITED)
    assert not health.is_healthy("p") and health.is_healthy("other")


def test_a_success_makes_it_healthy_again():
    health = health_at([0.0])
    for _ in range(3):
        health.failed("p", RATE_LIMITED)
    health.succeeded("p")
    assert health.is_healthy("p")
    health.failed("p", RATE_LIMITED)
    assert health.is_healthy("p"), "the count starts again after a success"


def test_after_the_cool_down_it_is_tried_again_and_one_more_outage_restarts_the_cool_down():
    now = [0.0]
    health = health_at(now)
    for _ in range(3):
        health.failed("p", RATE_LIMITED)
    now[0] = 29.9
    assert not health.is_healthy("p")
    now[0] = 30.0
    assert health.is_healthy("p")
    health.failed("p", RATE_LIMITED)
    assert not health.is_healthy("p")


def test_errors_about_the_request_or_billed_failures_are_no_outage():
    health = health_at([0.0])
    for _ in range(5):
        health.failed("p", ProviderError("content_filtered", "refused", retryable=False))
        health.failed("p", ProviderError("timeout", "may be billed", retryable=True, charged=True))
    assert health.is_healthy("p")
