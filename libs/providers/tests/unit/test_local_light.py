"""The light a relight asks for in words, and how it falls on an image."""

import numpy as np
import pytest

from studio_providers.local.light import (
    COOL_KELVIN,
    NEUTRAL_KELVIN,
    WARM_KELVIN,
    Light,
    cast,
    directional_gradient,
    kelvin_rgb,
    light_from_words,
)


@pytest.mark.parametrize(
    ("words", "light"),
    [
        ("warm golden sunset light", Light(WARM_KELVIN, 0)),
        ("cool moonlight at night", Light(COOL_KELVIN, -1)),
        ("a bright sunny beach", Light(NEUTRAL_KELVIN, 1)),
        ("a beach", Light()),
        ("warm and cool", Light()),
    ],
)
def test_the_light_a_prompt_describes(words, light):
    assert light_from_words(words) == light
    assert light.changes_anything == (light != Light())


def test_colour_temperature_gains_are_a_cast_not_a_brightening():
    warm, neutral, cool = kelvin_rgb(WARM_KELVIN), kelvin_rgb(NEUTRAL_KELVIN), kelvin_rgb(COOL_KELVIN)
    assert warm[0] == 1.0 and warm[2] < 0.7  # red kept, blue held back
    assert cool[2] == 1.0 and cool[0] < 0.9
    assert np.allclose(neutral, 1.0, atol=0.01)


def test_cast_scales_with_strength_and_exposure():
    grey = np.full((4, 4, 3), 128.0, np.float32)
    assert np.allclose(cast(grey, Light(WARM_KELVIN), 0.0), grey)
    warm = cast(grey, Light(WARM_KELVIN), 1.0)[0, 0]
    assert warm[0] > warm[1] > warm[2]
    assert cast(grey, Light(exposure=1), 1.0).mean() > 128 > cast(grey, Light(exposure=-1), 1.0).mean()


@pytest.mark.parametrize(("direction", "axis", "bright_first"), [("left", 1, True), ("below", 0, False)])
def test_the_gradient_is_brighter_where_the_light_comes_from(direction, axis, bright_first):
    factor = np.broadcast_to(directional_gradient(20, 30, direction, 1.0), (20, 30))
    line = factor.mean(axis=1 - axis)
    assert (line[0] > line[-1]) == bright_first and line.max() > 1.3
