"""Upscale size planning: exact output sizes for every mode, preset and target, within the ceiling."""

import functools

import pytest

from studio_common import upscale_plan
from studio_common.catalog import Incapable, find_offer

MAX_OUTPUT_PIXELS = find_offer("local", "local-render").max_output_pixels
FOUR_MP = 2048 * 2048
plan_upscale = functools.partial(upscale_plan.plan_upscale, max_pixels=MAX_OUTPUT_PIXELS)


@pytest.mark.parametrize("size", [(512, 512), (300, 451), (64, 1000)])
def test_fast_plan_is_exactly_four_times_each_side(size):
    width, height = size
    assert plan_upscale(width, height, "fast") == ("fast", 4 * width, 4 * height)


@pytest.mark.parametrize("size", [(451, 300), (300, 451), (1000, 400), (1600, 1200), (64, 64)])
def test_conservative_plan_is_about_four_megapixels_and_keeps_aspect(size):
    width, height = size
    mode, out_w, out_h = plan_upscale(width, height, "conservative")
    assert mode == "conservative"
    assert abs(out_w * out_h - FOUR_MP) / FOUR_MP < 0.01
    assert abs((out_w / out_h) / (width / height) - 1) < 0.01


def test_conservative_never_downscales():
    with pytest.raises(ValueError, match="already"):
        plan_upscale(2500, 2000, "conservative")


@pytest.mark.parametrize(
    ("preset", "size", "expected"),
    [
        ("web", (1200, 800), (2048, 1365)),
        ("web", (800, 1200), (1365, 2048)),
        ("print", (1200, 800), (3072, 2048)),
        ("social", (4000, 3000), (1080, 810)),  # presets may downscale
        ("social", (300, 600), (540, 1080)),
    ],
)
def test_presets_set_the_long_side(preset, size, expected):
    assert plan_upscale(*size, "auto", preset=preset) == (preset, *expected)


def test_print_size_at_300_dpi_covers_every_given_dimension():
    assert plan_upscale(1200, 800, "auto", preset="print", print_width_in=10) == ("print", 3000, 2000)
    # 10x8 in on a 3:2 image: the 8 in side needs 2400 px, so the width grows to 3600.
    assert plan_upscale(1200, 800, "auto", print_width_in=10, print_height_in=8) == ("print", 3600, 2400)


def test_target_long_side():
    assert plan_upscale(1000, 500, "auto", target_long_side=3000) == ("target", 3000, 1500)


@pytest.mark.parametrize(
    ("size", "expected_mode"),
    [
        ((512, 512), "fast"),
        ((1024, 768), "fast"),
        ((1025, 700), "conservative"),
        ((1500, 1000), "conservative"),
    ],
)
def test_auto_picks_fast_for_small_inputs_and_conservative_otherwise(size, expected_mode):
    mode, out_w, out_h = plan_upscale(*size, "auto")
    assert mode == expected_mode
    if mode == "fast":
        assert (out_w, out_h) == (size[0] * 4, size[1] * 4)
    else:
        assert abs(out_w * out_h - FOUR_MP) / FOUR_MP < 0.01


def test_auto_on_a_large_image_needs_a_target():
    with pytest.raises(ValueError, match="preset or target_long_side"):
        plan_upscale(3000, 2000, "auto")
    assert plan_upscale(3000, 2000, "auto", preset="web") == ("web", 2048, 1365)


def test_outputs_over_sixteen_megapixels_are_refused():
    assert plan_upscale(1024, 1024, "fast")[1:] == (4096, 4096)  # exactly 16 MP is allowed
    with pytest.raises(ValueError, match="16 MP"):
        plan_upscale(1100, 1100, "fast")
    with pytest.raises(ValueError, match="16 MP"):
        plan_upscale(1000, 1000, "auto", target_long_side=5000)
    assert MAX_OUTPUT_PIXELS == 4096 * 4096


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mode": "auto", "preset": "poster"}, "preset"),
        ({"mode": "auto", "target_long_side": 0}, "target_long_side"),
        ({"mode": "auto", "target_long_side": 10.5}, "target_long_side"),
        ({"mode": "auto", "print_width_in": -3}, "print_width_in"),
        ({"mode": "fast", "preset": "web"}, "preset"),
        ({"mode": "auto", "preset": "web", "target_long_side": 900}, "target_long_side"),
        ({"mode": "sideways"}, "mode"),
    ],
)
def test_bad_parameters_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        plan_upscale(400, 300, **kwargs)


def test_creative_has_no_size_plan():
    with pytest.raises(Incapable, match="stability"):
        plan_upscale(400, 300, "creative")
