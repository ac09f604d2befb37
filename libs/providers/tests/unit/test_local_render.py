"""Tests for the procedural renderer behind the offline ``local`` provider."""

from __future__ import annotations

import hashlib
import io
import math
import random
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from studio_providers.local import render as render_module
from studio_providers.local.colour_names import COLOURS
from studio_providers.local.palette import colour_family, hex_colours, palette_for
from studio_providers.local.render import RenderSpec, render, render_image

LUMA = np.array([0.299, 0.587, 0.114])


def spec(
    prompt: str = "teal and orange abstract poster", width: int = 128, height: int = 128, **kw
) -> RenderSpec:
    return RenderSpec(prompt=prompt, width=width, height=height, seed=kw.pop("seed", 1), **kw)


def pixels(s: RenderSpec) -> np.ndarray:
    return np.asarray(render_image(s), dtype=np.float64)


def mean_abs_diff(a: RenderSpec, b: RenderSpec) -> float:
    return float(np.abs(pixels(a) - pixels(b)).mean())


def luma_std(image: Image.Image | np.ndarray) -> float:
    return float((np.asarray(image, dtype=np.float64) @ LUMA).std())


def strongly_red_fraction(image: Image.Image) -> float:
    """Share of saturated, visible pixels whose hue is within about 20 degrees of red."""
    hsv = np.asarray(image.convert("HSV"), dtype=np.int32)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return float((((hue < 14) | (hue > 240)) & (sat > 90) & (val > 50)).mean())


# --- size -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [(16, 16), (17, 31), (255, 129), (333, 1001), (1080, 1920), (4096, 16), (16, 4096)],
)
def test_image_has_exact_requested_size(width: int, height: int) -> None:
    image = render_image(spec(width=width, height=height))
    assert image.size == (width, height)
    assert image.mode == "RGB"


@pytest.mark.parametrize(("width", "height"), [(16, 16), (257, 143)])
def test_encoded_bytes_have_exact_requested_size(width: int, height: int) -> None:
    decoded = Image.open(io.BytesIO(render(spec(width=width, height=height))))
    assert decoded.size == (width, height)


# --- determinism and variation ----------------------------------------------


@pytest.mark.parametrize("output_format", ["png", "jpeg", "webp"])
def test_same_spec_gives_identical_bytes(output_format: str) -> None:
    s = spec(width=200, height=120, seed=42, output_format=output_format, negative_prompt="blue")
    assert render(s) == render(s)


def test_output_does_not_depend_on_python_hash_randomisation() -> None:
    s = spec(prompt="gold and navy corporate banner", width=96, height=64, seed=9)
    code = (
        "import hashlib; from studio_providers.local.render import RenderSpec, render; "
        f"print(hashlib.sha256(render({s!r})).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    assert digests == {hashlib.sha256(render(s)).hexdigest()}


def test_rendering_leaves_global_random_state_alone() -> None:
    random.seed(5)
    np.random.seed(5)
    expected = (random.random(), np.random.random())
    random.seed(5)
    np.random.seed(5)
    render(spec(seed=3))
    assert (random.random(), np.random.random()) == expected


@pytest.mark.parametrize(
    "prompt", ["teal and orange abstract poster", "deep ocean blue", "a cat on a sofa", "pastel"]
)
@pytest.mark.parametrize(("seed_a", "seed_b"), [(1, 2), (7, 1234567)])
def test_different_seeds_give_clearly_different_images(prompt: str, seed_a: int, seed_b: int) -> None:
    assert mean_abs_diff(spec(prompt, seed=seed_a), spec(prompt, seed=seed_b)) > 20


@pytest.mark.parametrize(("prompt_a", "prompt_b"), [("a cat", "a dog"), ("red sunset", "deep ocean blue")])
def test_same_seed_different_prompt_differs(prompt_a: str, prompt_b: str) -> None:
    assert mean_abs_diff(spec(prompt_a, seed=11), spec(prompt_b, seed=11)) > 20


# --- prompt -> colour -------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_prompt_colour_words_steer_the_image(seed: int) -> None:
    ocean = pixels(spec("deep ocean blue", seed=seed)).reshape(-1, 3).mean(axis=0)
    sunset = pixels(spec("red sunset", seed=seed)).reshape(-1, 3).mean(axis=0)
    assert ocean[2] > ocean[0] + 30  # blue over red
    assert sunset[0] > sunset[2] + 30  # red over blue


def test_named_colours_lead_the_palette() -> None:
    palette = palette_for("gold and navy poster")
    assert palette[:2] == [COLOURS["gold"], COLOURS["navy"]]


def test_prompt_without_colour_words_gets_seeded_palette() -> None:
    first = palette_for("a cat on a sofa", seed=1)
    assert len(first) >= 3
    assert first == palette_for("a cat on a sofa", seed=1)
    assert first != palette_for("a cat on a sofa", seed=2)


def test_black_and_white_prompt_renders_greys() -> None:
    image = pixels(spec("black and white architecture", seed=4))
    assert np.ptp(image, axis=2).max() <= 2
    assert luma_std(image) > 15


def test_negative_prompt_removes_colour_from_palette() -> None:
    assert "red" in {colour_family(c) for c in palette_for("red sunset")}
    for seed in range(5):
        families = {colour_family(c) for c in palette_for("red sunset", "red", seed=seed)}
        assert "red" not in families
        assert families  # still a palette, not an empty canvas


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_prompt_keeps_colour_out_of_pixels(seed: int) -> None:
    assert strongly_red_fraction(render_image(spec("red sunset", seed=seed))) > 0.2
    assert strongly_red_fraction(render_image(spec("red sunset", seed=seed, negative_prompt="red"))) < 0.03


# --- formats ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("output_format", "pillow_format"),
    [("png", "PNG"), ("jpeg", "JPEG"), ("jpg", "JPEG"), ("webp", "WEBP"), ("PNG", "PNG")],
)
def test_bytes_decode_as_the_requested_format(output_format: str, pillow_format: str) -> None:
    data = render(spec(width=191, height=77, output_format=output_format))
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    assert decoded.format == pillow_format
    assert decoded.size == (191, 77)


def test_png_is_lossless() -> None:
    s = spec(width=301, height=123, seed=8)
    decoded = Image.open(io.BytesIO(render(s)))
    assert np.array_equal(np.asarray(decoded.convert("RGB")), np.asarray(render_image(s)))


def test_quality_changes_lossy_output() -> None:
    low = render(spec(width=256, height=256, output_format="jpeg", quality=20))
    high = render(spec(width=256, height=256, output_format="jpeg", quality=95))
    assert len(low) < len(high)


# --- structure and tuning ---------------------------------------------------


@pytest.mark.parametrize(
    "prompt", ["pastel", "white", "black", "beige cream", "a cat", "snow", "neon cyberpunk night"]
)
@pytest.mark.parametrize(("width", "height"), [(16, 16), (160, 90), (512, 512)])
def test_image_has_real_structure(prompt: str, width: int, height: int) -> None:
    for seed in (0, 1, 2):
        assert luma_std(render_image(spec(prompt, width=width, height=height, seed=seed))) > 15


def test_higher_guidance_raises_contrast() -> None:
    for seed in (0, 1, 2):
        soft = luma_std(render_image(spec("a cat", seed=seed, guidance_scale=2.0)))
        strong = luma_std(render_image(spec("a cat", seed=seed, guidance_scale=15.0)))
        assert strong > soft + 5


def test_more_steps_add_fine_detail() -> None:
    def edge_energy(steps: int) -> float:
        total = 0.0
        for seed in range(4):
            luma = pixels(spec("a cat", width=768, height=768, seed=seed, steps=steps)) @ LUMA
            total += float(np.abs(np.diff(luma, axis=1)).mean())
        return total

    assert edge_energy(100) > edge_energy(1) * 1.15


# --- validation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"width": 15}, "width"),
        ({"height": 4097}, "height"),
        ({"width": 0}, "width"),
        ({"width": 256.0}, "width"),
        ({"width": True}, "width"),
        ({"output_format": "gif"}, "output_format"),
        ({"output_format": ""}, "output_format"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"quality": 0}, "quality"),
        ({"quality": 101}, "quality"),
        ({"steps": 0}, "steps"),
        ({"guidance_scale": -1.0}, "guidance_scale"),
        ({"guidance_scale": math.nan}, "guidance_scale"),
        ({"seed": "7"}, "seed"),
    ],
)
def test_bad_input_raises_value_error(overrides: dict, message: str) -> None:
    fields = {"prompt": "a cat", "width": 64, "height": 64, "seed": 1} | overrides
    bad = RenderSpec(**fields)
    with pytest.raises(ValueError, match=message):
        render(bad)
    with pytest.raises(ValueError, match=message):
        render_image(bad)


def test_pixel_budget_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "MAX_PIXELS", 64 * 64)
    render_image(spec(width=64, height=64))
    with pytest.raises(ValueError, match="exceeds"):
        render_image(spec(width=64, height=65))


def test_hex_colours_in_the_prompt_lead_the_palette() -> None:
    palette = palette_for("a coffee mug, brand colour palette #6f4e37, #FC0")
    assert palette[:2] == [(0x6F, 0x4E, 0x37), (0xFF, 0xCC, 0x00)]
    assert hex_colours("ticket#123 and #12 or #1234 #abcdefg") == []  # none of these is a colour code


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brand_hex_colours_steer_the_image(seed: int) -> None:
    plain = pixels(spec("a coffee mug on a table", seed=seed)).reshape(-1, 3)
    branded = pixels(spec("a coffee mug on a table, brand colour palette #0a7f3f", seed=seed)).reshape(-1, 3)
    brand = np.array([0x0A, 0x7F, 0x3F])

    # More of the image lies near the brand's green once the palette carries it.
    def near(image: np.ndarray) -> float:
        return float((np.abs(image - brand).sum(axis=1) < 90).mean())

    assert near(branded) > near(plain) + 0.1
