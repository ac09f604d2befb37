"""What an offer cannot do within its kinds, read from its catalog data."""

from studio_common.capabilities import refusal, text_selection
from studio_common.catalog import find_offer

LOCAL = find_offer("local", "local-render")
STABILITY_RECOLOR = find_offer("stability", "search-recolor")


def test_recolour_without_a_mask_is_refused_unless_it_names_the_subject_or_the_background():
    refused = refusal(LOCAL, "edit.search_recolor", {"select_prompt": "the cup"}, {"image"})
    assert refused is not None and "stability" in refused and "subject" in refused
    for selection in ("subject", "the background", "Person", "main subject"):
        assert refusal(LOCAL, "edit.search_recolor", {"select_prompt": selection}, {"image"}) is None
    assert refusal(LOCAL, "edit.search_recolor", {"select_prompt": "the cup"}, {"image", "mask"}) is None
    assert refusal(STABILITY_RECOLOR, "edit.search_recolor", {"select_prompt": "the cup"}, {"image"}) is None


def test_text_selection_names_the_region():
    assert text_selection("the background", LOCAL.select_words) == "background"
    assert text_selection("The Main Subject", LOCAL.select_words) == "subject"
    assert text_selection("the cup", LOCAL.select_words) is None


def test_relight_needs_some_light_to_apply_and_the_refusal_names_every_way_to_give_one():
    for fields, roles in (
        ({"light_source_direction": "left"}, {"image"}),
        ({"background_prompt": "warm sunset light"}, {"image"}),
        ({}, {"image", "light_reference"}),
        ({}, {"image", "background_reference"}),
    ):
        assert refusal(LOCAL, "edit.relight", fields, roles) is None, (fields, roles)
    refused = refusal(LOCAL, "edit.relight", {"keep_original_background": True}, {"image"})
    assert refused is not None
    for field in ("background_reference", "light_reference", "light_source_direction", "background_prompt"):
        assert field in refused


def test_a_general_edit_beyond_adjustments_is_refused_naming_what_it_cannot_do():
    refused = refusal(LOCAL, "edit.general", {"prompt": "add a hat"}, {"image"})
    assert refused is not None and "add a hat" in refused and "stability or gemini" in refused
    assert refusal(LOCAL, "edit.general", {"prompt": "make it brighter"}, {"image"}) is None
    assert "prompt" in refusal(LOCAL, "edit.general", {"prompt": "  "}, {"image"})
