"""The catalog lists what the local provider does; the provider's operations and the offer agree."""

from studio_common.catalog import PROVIDERS_BY_NAME
from studio_providers.local import offer
from studio_providers.local.provider import LocalProvider
from studio_providers.local.upscale import MAX_OUTPUT_PIXELS

# The editing worker registers the social optimizer with the local provider itself.
REGISTERED_BY_A_WORKER = {"social.optimize"}


def test_every_kind_the_catalog_lists_for_local_has_an_operation():
    provider = LocalProvider()
    for listed in PROVIDERS_BY_NAME["local"].models:
        missing = [
            kind
            for kind in listed.kinds
            if kind not in REGISTERED_BY_A_WORKER and not provider.supports(kind, listed.model)
        ]
        assert not missing, (listed.model, missing)


def test_what_the_provider_refuses_is_not_offered():
    refused_only = set(LocalProvider().operations) - PROVIDERS_BY_NAME["local"].kinds()
    assert refused_only == {"edit.search_replace"}  # it answers with a refusal naming stability


def test_the_provider_reads_its_limits_from_the_offer():
    assert offer.RENDER.model == "local-render"
    assert MAX_OUTPUT_PIXELS == offer.RENDER.max_output_pixels == 4096 * 4096
    assert "background" in offer.RENDER.select_words and offer.RENDER.instructions == "adjustments"
