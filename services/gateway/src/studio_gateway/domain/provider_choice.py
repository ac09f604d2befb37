"""Which provider and model run an operation: the one asked for, or for `auto` the catalog's best
enabled offer that can honestly do it."""

from studio_common.capabilities import refusal
from studio_common.catalog import auto_offers, best_offer, offers_for
from studio_gateway.domain.create_request import RequestError


def choose_provider(
    kind: str, provider: str, model: str | None, fields: dict, roles: set[str], enabled: list[str]
) -> tuple[str, str]:
    """`fields["resolution"]`, when present, picks among models priced per resolution."""
    resolution = fields.get("resolution")
    if provider == "auto":
        refused = None
        for offer in auto_offers(kind, enabled):
            if (model and offer.model != model) or not offer.serves(resolution):
                continue
            if refused := refusal(offer, kind, fields, roles):
                continue
            return offer.provider, offer.model
        raise RequestError("provider", refused or _nobody_offers(kind, model, enabled))
    if provider not in enabled:
        raise RequestError(
            "provider", f"provider {provider!r} is not enabled here (enabled: {', '.join(enabled)})"
        )
    chosen = _provider_offer(kind, provider, model, resolution)
    if chosen is None:
        raise RequestError(
            "model" if model else "provider",
            f"{provider} does not offer {kind}"
            + (f" with model {model!r}" if model else "")
            + (f" at {resolution}" if resolution else ""),
        )
    if refused := refusal(chosen, kind, fields, roles):
        raise RequestError("provider", refused)
    return provider, chosen.model


def _provider_offer(kind: str, provider: str, model: str | None, resolution: str | None):
    offers = [o for o in offers_for(kind, [provider]) if o.serves(resolution) and model in (None, o.model)]
    return best_offer(offers)


def _nobody_offers(kind: str, model: str | None, enabled: list[str]) -> str:
    elsewhere = sorted({o.provider for o in offers_for(kind) if o.provider not in enabled})
    wanted = f" with model {model!r}" if model else ""
    hint = f"; it needs {' or '.join(elsewhere)}, which is not enabled here" if elsewhere else ""
    return f"no enabled provider offers {kind}{wanted}{hint}"
