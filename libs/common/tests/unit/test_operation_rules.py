"""The rules every service applies to an operation alike: seed range, billed seconds, model ids."""

import pytest

from studio_common.operation_rules import MAX_SEED, billable_seconds, operation_model


@pytest.mark.parametrize(
    ("seconds", "billed"),
    [(0.0, 1), (0.4, 1), (1.0, 1), (1.2, 2), (5.0, 5), (5.0000004, 5), (5.001, 6), (29.5, 30)],
)
def test_seconds_are_billed_whole_rounded_up_at_least_one(seconds, billed):
    assert billable_seconds(seconds) == billed


def test_a_float_a_hair_over_a_whole_second_is_not_billed_a_second_more():
    frames, fps = 120, 24
    assert billable_seconds(frames / fps) == 5
    assert billable_seconds(0.1 + 0.2 + 4.7) == 5  # 5.000000000000001


@pytest.mark.parametrize(
    ("kind", "model"),
    [
        ("edit.search_replace", "search-replace"),
        ("edit.remove_background", "remove-background"),
        ("control.style_transfer", "style-transfer"),
        ("upscale.fast", "fast"),
        ("transform.3d", "3d"),
    ],
)
def test_operation_models_are_named_after_their_kind(kind, model):
    assert operation_model(kind) == model


def test_the_seed_bound_is_the_largest_seed_providers_accept():
    assert MAX_SEED == 4_294_967_294
