"""The registry: providers join through settings; fall-backs stay within the reserved budget."""

from studio_providers.base import ProviderError
from studio_providers.health import ProviderHealth
from studio_providers.setup import WorkerSettings, build_registry


def test_enabled_providers_with_keys_are_registered():
    settings = WorkerSettings(
        enabled_providers="local,stability,wavespeed,huggingface,gemini",
        stability_api_key="sk",
        wavespeed_api_key="ws",
        hf_api_token="hf_x",
        gemini_api_key=None,
    )
    assert build_registry(settings).names() == ["local", "stability", "wavespeed", "huggingface"]


def test_fallbacks_never_cost_more_than_the_hold():
    settings = WorkerSettings(
        enabled_providers="local,stability,wavespeed", stability_api_key="sk", wavespeed_api_key="ws"
    )
    registry = build_registry(settings)
    choices = registry.plan("create", "stability", "core", budget_per_unit=3)
    assert [(c.provider.name, c.model) for c in choices][0] == ("stability", "core")
    assert all(c.provider.name != "stability" for c in choices[1:])
    from studio_common.catalog import find_offer

    assert all(find_offer(c.provider.name, c.model).list_price <= 3 for c in choices[1:])


def outage_registry(clock):
    settings = WorkerSettings(
        enabled_providers="local,stability,wavespeed", stability_api_key="sk", wavespeed_api_key="ws"
    )
    registry = build_registry(settings)
    registry.health = ProviderHealth(failures_before_unhealthy=3, cool_down_seconds=30, clock=clock)
    return registry


def names(choices):
    return [c.provider.name for c in choices]


def test_a_provider_in_an_outage_is_no_fall_back_until_its_cool_down_ends():
    now = [0.0]
    registry = outage_registry(lambda: now[0])
    assert "wavespeed" in names(registry.plan("create", "stability", "core", 3))
    for _ in range(3):
        registry.health.failed("wavespeed", ProviderError("rate_limited", "429", retryable=True))
    assert "wavespeed" not in names(registry.plan("create", "stability", "core", 3))
    now[0] = 30.0
    assert "wavespeed" in names(registry.plan("create", "stability", "core", 3))


def test_an_unhealthy_approved_provider_is_tried_last_not_dropped():
    registry = outage_registry(lambda: 0.0)
    for _ in range(3):
        registry.health.failed("stability", ProviderError("unreachable", "down", retryable=True))
    choices = names(registry.plan("create", "stability", "core", 3))
    assert choices[-1] == "stability" and len(choices) > 1
