"""Provider settings and the registry every worker builds from them (keys come from settings only)."""

from studio_common.settings import CommonSettings
from studio_providers.gemini import GeminiProvider
from studio_providers.huggingface import HuggingFaceProvider
from studio_providers.local.provider import LocalProvider
from studio_providers.registry import ProviderRegistry
from studio_providers.stability import StabilityProvider
from studio_providers.wavespeed import WaveSpeedProvider


class WorkerSettings(CommonSettings):
    """Settings of a domain worker: which providers it may call and with which keys."""

    prefetch: int = 8
    # A worker finishes the operations it holds before it exits (the k8s grace period is longer).
    drain_seconds: float = 120.0
    heartbeat_seconds: float = 5.0
    # operation.started only for runs still going after this long (start_notice.py); 0: for every run.
    started_after_seconds: float = 1.0
    stability_api_key: str | None = None
    stability_base_url: str = "https://api.stability.ai"
    stability_poll_interval_seconds: float = 10.0
    wavespeed_api_key: str | None = None
    wavespeed_base_url: str = "https://api.wavespeed.ai"
    wavespeed_poll_interval_seconds: float = 2.0
    hf_api_token: str | None = None
    hf_base_url: str = "https://router.huggingface.co"
    gemini_api_key: str | None = None
    gemini_base_url: str = "https://generativelanguage.googleapis.com"


def build_registry(settings: WorkerSettings, local: LocalProvider | None = None) -> ProviderRegistry:
    """Register each enabled provider that has its key; an enabled provider without one is left out
    (auto selection then skips it) rather than failing every call."""
    registry = ProviderRegistry()
    enabled = settings.enabled_provider_names
    remote = {
        "stability": lambda: StabilityProvider(
            settings.stability_api_key,
            settings.stability_base_url,
            poll_interval=settings.stability_poll_interval_seconds,
        ),
        "wavespeed": lambda: WaveSpeedProvider(
            settings.wavespeed_api_key,
            settings.wavespeed_base_url,
            poll_interval=settings.wavespeed_poll_interval_seconds,
        ),
        "huggingface": lambda: HuggingFaceProvider(settings.hf_api_token, settings.hf_base_url),
        "gemini": lambda: GeminiProvider(settings.gemini_api_key, settings.gemini_base_url),
    }
    keys = {
        "stability": settings.stability_api_key,
        "wavespeed": settings.wavespeed_api_key,
        "huggingface": settings.hf_api_token,
        "gemini": settings.gemini_api_key,
    }
    if "local" in enabled:
        registry.register(local or LocalProvider())
    for name, build in remote.items():
        if name in enabled and keys[name]:
            registry.register(build())
    return registry
