from studio_gateway.domain.local_rules import local_refusal


def test_recolour_without_a_mask_is_refused_unless_it_names_the_subject_or_the_background():
    refused = local_refusal("edit.search_recolor", {"select_prompt": "the cup"}, {"image"})
    assert refused is not None and "stability" in refused and "subject" in refused
    for selection in ("subject", "the background", "Person", "main subject"):
        assert local_refusal("edit.search_recolor", {"select_prompt": selection}, {"image"}) is None
    assert local_refusal("edit.search_recolor", {"select_prompt": "the cup"}, {"image", "mask"}) is None
