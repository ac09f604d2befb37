"""Which offer runs an operation, decided in one place from the catalog: at admission the one asked for
or, for `auto`, the best enabled offer that can honestly do it (the gateway); while it runs, the fall-backs
for the approved offer within the credits reserved for it (the workers)."""

from collections.abc import Callable

from studio_common.capabilities import refusal
from studio_common.catalog import ModelOffer, auto_offers, best_offer, find_offer, offers_for


class NoOffer(ValueError):
    """Nothing enabled can do the request; `field` names the request field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def choose(
    kind: str, provider: str, model: str | None, fields: dict, roles: set[str], enabled: list[str]
) -> ModelOffer:
    """The offer for a request (its fields and input roles). `fields["resolution"]`, when present, picks
    among models priced per resolution."""
    resolution = fields.get("resolution")
    if provider == "auto":
        refused = None
        for offer in auto_offers(kind, enabled):
            if (model and offer.model != model) or not offer.serves(resolution):
                continue
            if refused := refusal(offer, kind, fields, roles):
                continue
            return offer
        raise NoOffer("provider", refused or _nobody_offers(kind, model, enabled))
    if provider not in enabled:
        raise NoOffer(
            "provider", f"provider {provider!r} is not enabled here (enabled: {', '.join(enabled)})"
        )
    offers = [o for o in offers_for(kind, [provider]) if o.serves(resolution) and model in (None, o.model)]
    chosen = best_offer(offers)
    if chosen is None:
        raise NoOffer(
            "model" if model else "provider",
            f"{provider} does not offer {kind}"
            + (f" with model {model!r}" if model else "")
            + (f" at {resolution}" if resolution else ""),
        )
    if refused := refusal(chosen, kind, fields, roles):
        raise NoOffer("provider", refused)
    return chosen


def choose_create(
    provider: str, model: str | None, quality: str, preferred: tuple[str, str] | None, enabled: list[str]
) -> ModelOffer:
    """The offer for a Create: a model asked for by name from the first enabled provider offering it, the
    template's `preferred` (provider, model) when enabled, else the best enabled offer at `quality`."""
    if provider == "auto":
        if model:
            named = [o for p in enabled if (o := find_offer(p, model)) and "create" in o.kinds]
            if not named:
                raise NoOffer("model", f"no enabled provider offers the create model {model!r}")
            return named[0]
        if preferred and preferred[0] in enabled and (offer := find_offer(*preferred)):
            return offer
        ranked = auto_offers("create", enabled, quality)
        if not ranked:
            raise NoOffer("provider", "no enabled provider can create images")
        return ranked[0]
    if provider not in enabled:
        raise NoOffer(
            "provider", f"provider {provider!r} is not enabled here (enabled: {', '.join(enabled)})"
        )
    offer = find_offer(provider, model) if model else best_offer(offers_for("create", [provider]))
    if offer is None or "create" not in offer.kinds:
        raise NoOffer("model", f"model {model!r} is not a create model of {provider!r}")
    return offer


def fallbacks(
    kind: str,
    provider: str,
    model: str,
    available: list[str],
    usable: Callable[[ModelOffer], bool],
    budget_per_unit: float | None = None,
) -> list[ModelOffer]:
    """One offer per other available provider, best first at the approved offer's quality, each costing
    no more than what was reserved per unit (a fall-back must never charge more than the hold covers)."""
    approved = find_offer(provider, model)
    chosen: list[ModelOffer] = []
    for offer in auto_offers(kind, available, approved.quality if approved else None):
        if offer.provider == provider or any(c.provider == offer.provider for c in chosen):
            continue
        if budget_per_unit is not None and offer.list_price > budget_per_unit:
            continue
        if usable(offer):
            chosen.append(offer)
    return chosen


def _nobody_offers(kind: str, model: str | None, enabled: list[str]) -> str:
    elsewhere = sorted({o.provider for o in offers_for(kind) if o.provider not in enabled})
    wanted = f" with model {model!r}" if model else ""
    hint = f"; it needs {' or '.join(elsewhere)}, which is not enabled here" if elsewhere else ""
    return f"no enabled provider offers {kind}{wanted}{hint}"
