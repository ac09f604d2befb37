"""One chooser: admission picks the offer, the workers' fall-backs stay within the reserved budget."""

import pytest

from studio_common.catalog import find_offer
from studio_common.provider_choice import NoOffer, choose, choose_create, fallbacks

ALL = ["local", "stability", "wavespeed", "huggingface", "gemini"]


def test_auto_skips_an_offer_that_cannot_honestly_do_the_request():
    recolour = {"select_prompt": "the cup"}
    assert choose("edit.search_recolor", "auto", None, recolour, {"image"}, ALL).provider == "stability"
    with pytest.raises(NoOffer, match="select_prompt") as refused:
        choose("edit.search_recolor", "auto", None, recolour, {"image"}, ["local"])
    assert refused.value.field == "provider"
    assert (
        choose("edit.search_recolor", "local", None, recolour, {"image", "mask"}, ALL).model == "local-render"
    )


def test_a_provider_asked_for_must_be_enabled_and_offer_the_kind():
    with pytest.raises(NoOffer, match="not enabled"):
        choose("create", "stability", None, {}, set(), ["local"])
    with pytest.raises(NoOffer, match="does not offer edit.search_replace") as missing:
        choose("edit.search_replace", "local", None, {}, {"image"}, ALL)
    assert missing.value.field == "provider"
    with pytest.raises(NoOffer, match="it needs stability"):
        choose("edit.search_replace", "auto", None, {}, {"image"}, ["local"])


def test_fallbacks_are_one_per_other_provider_within_the_budget():
    offers = fallbacks("create", "stability", "core", ALL, lambda offer: True, budget_per_unit=3)
    assert offers and all(o.provider != "stability" and o.list_price <= 3 for o in offers)
    assert len({o.provider for o in offers}) == len(offers)
    unusable = fallbacks("create", "stability", "core", ALL, lambda offer: offer.provider != "local", 3)
    assert "local" not in {o.provider for o in unusable}
    assert find_offer("stability", "core").quality == "standard"


def test_create_takes_a_named_model_then_the_template_then_the_best_at_the_quality():
    enabled = ["local", "stability"]
    assert choose_create("auto", "core", "standard", None, enabled).provider == "stability"
    assert choose_create("auto", None, "premium", ("local", "local-render"), enabled).model == "local-render"
    assert choose_create("auto", None, "draft", None, enabled).provider == "local"
    assert choose_create("stability", None, "standard", None, enabled).quality == "premium"
    with pytest.raises(NoOffer, match="not a create model") as wrong:
        choose_create("local", "ultra", "standard", None, enabled)
    assert wrong.value.field == "model"
    with pytest.raises(NoOffer, match="no enabled provider offers the create model"):
        choose_create("auto", "ideogram-v3-turbo", "standard", None, enabled)
