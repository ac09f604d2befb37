"""What is on offer, as the catalog describes it and at billing's prices (billing's one price table)."""

from collections.abc import Iterable

from studio_common.catalog import PROVIDERS
from studio_gateway.domain.studio_operations import UPSCALE, UPSCALE_KINDS, OperationSpec


async def providers(state) -> list[dict]:
    """Capabilities and models from the catalog, prices from billing."""
    by_model = {(p["provider"], p["model"]): p for p in await state.billing.prices()}
    enabled = state.settings.enabled_provider_names
    return [
        {
            "name": info.name,
            "title": info.title,
            "enabled": info.name in enabled,
            "offline": info.offline,
            "capabilities": sorted(info.kinds()),
            "models": [
                {
                    "model": m.model,
                    "kinds": list(m.kinds),
                    "quality": m.quality,
                    "unit": m.unit,
                    "max_side": m.max_side,
                    "credits_per_unit": by_model[(m.provider, m.model)]["credits_per_unit"],
                    "minimum_units": m.minimum_units,
                    "description": m.description,
                }
                for m in info.models
            ],
        }
        for info in PROVIDERS
    ]


async def operations(state, specs: Iterable[OperationSpec]) -> list[dict]:
    """Each operation with its fields and limits, and its price at every provider that can do it."""
    prices = await state.billing.prices()
    enabled = state.settings.enabled_provider_names
    described = []
    for spec in specs:
        kinds = [spec.kind] if spec is not UPSCALE else list(UPSCALE_KINDS.values())
        offers = [
            {
                "provider": p["provider"],
                "model": p["model"],
                "kind": kind,
                "credits_per_unit": p["credits_per_unit"],
                "unit": p["unit"],
                "enabled": p["provider"] in enabled,
            }
            for p in prices
            for kind in kinds
            if kind in p["kinds"]
        ]
        described.append({**spec.describe(), "prices": offers})
    return described
