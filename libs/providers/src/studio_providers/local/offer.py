"""The catalog's offer for the local provider's image work: what it understands (selections by text,
instructions, output ceilings) is read from there, the data the gateway's admission checks read too."""

from studio_common.catalog import ModelOffer, find_offer

RENDER: ModelOffer = find_offer("local", "local-render")
