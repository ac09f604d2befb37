from studio_gateway.domain.local_rules import local_refusal


def test_recolour_without_a_mask_is_refused_unless_it_names_the_subject_or_the_background():
    refused = local_refusal("edit.search_recolor", {"select_prompt": "the cup"}, {"image"})
    assert refused is not None and "stability" in refused and "subject" in refused
    for selection in ("subject", "the background", "Person", "main subject"):
        assert local_refusal("edit.search_recolor", {"select_prompt": selection}, {"image"}) is None
    assert local_refusal("edit.search_recolor", {"select_prompt": "the cup"}, {"image", "mask"}) is None


def test_relight_needs_some_light_to_apply_not_a_background_reference():
    for fields, roles in (
        ({"light_source_direction": "left"}, {"image"}),
        ({"background_prompt": "warm sunset light"}, {"image"}),
        ({}, {"image", "light_reference"}),
        ({}, {"image", "background_reference"}),
    ):
        assert local_refusal("edit.relight", fields, roles) is None, (fields, roles)
    refused = local_refusal("edit.relight", {"keep_original_background": True}, {"image"})
    assert refused is not None
    for field in ("background_reference", "light_reference", "light_source_direction", "background_prompt"):
        assert field in refused
