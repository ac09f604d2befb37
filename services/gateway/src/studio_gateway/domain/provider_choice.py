"""Which provider and model run an operation: `studio_common.provider_choice` decides (the workers'
fall-backs come from the same place); a request it cannot place is a 422 naming the field."""

from studio_common.provider_choice import NoOffer, choose
from studio_gateway.domain.create_request import RequestError


def choose_provider(
    kind: str, provider: str, model: str | None, fields: dict, roles: set[str], enabled: list[str]
) -> tuple[str, str]:
    try:
        offer = choose(kind, provider, model, fields, roles, enabled)
    except NoOffer as exc:
        raise RequestError(exc.field, str(exc)) from exc
    return offer.provider, offer.model
