"""The registry: providers join through settings; fall-backs stay within the reserved budget."""

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
    registry.mark("wavespeed", healthy=False)
    assert "wavespeed" not in [c.provider.name for c in registry.plan("create", "stability", "core", 3)[1:]]
