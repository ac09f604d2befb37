"""Offline upscaling: size planning, exact output sizes, and detail preservation."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.local.upscale import (
    MAX_OUTPUT_PIXELS,
    UPSCALE_OPERATIONS,
    plan_upscale,
    upscale,
)

FOUR_MP = 2048 * 2048


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def decode(blob: bytes, mode: str = "RGB") -> np.ndarray:
    with Image.open(io.BytesIO(blob)) as image:
        return np.asarray(image.convert(mode))


def run(kind: str, pixels: np.ndarray, output_format: str = "png", **params):
    request = ProviderRequest(
        kind=kind,
        model="local-upscale",
        output_format=output_format,
        params=params,
        inputs={"image": png(pixels)},
    )
    return UPSCALE_OPERATIONS[kind](request)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 10 * math.log10(255**2 / mse)


def gradient_energy(pixels: np.ndarray) -> float:
    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)).mean())


# --- planning -----------------------------------------------------------------------------------


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


def test_creative_needs_a_generative_model():
    with pytest.raises(UnsupportedOperation, match="stability"):
        plan_upscale(400, 300, "creative")
    request = ProviderRequest(
        kind="upscale.creative", model="local-upscale", inputs={"image": png(data.astronaut()[:64, :64])}
    )
    with pytest.raises(UnsupportedOperation, match="stability"):
        upscale(request)
    assert "upscale.creative" not in UPSCALE_OPERATIONS


# --- the operation ------------------------------------------------------------------------------


def test_fast_upscale_output_is_exactly_four_times_each_side():
    source = data.chelsea()[:150, :200]
    out = run("upscale.fast", source)
    assert (out.width, out.height) == (800, 600)
    assert decode(out.data).shape == (600, 800, 3)
    assert out.content_type == "image/png"


def test_conservative_upscale_output_matches_the_plan():
    source = data.chelsea()  # 451x300
    out = run("upscale.conservative", source, output_format="jpeg")
    _, out_w, out_h = plan_upscale(451, 300, "conservative")
    assert (out.width, out.height) == (out_w, out_h)
    assert decode(out.data).shape == (out_h, out_w, 3)
    assert out.content_type == "image/jpeg"


def test_auto_upscale_with_a_preset_can_downscale():
    out = run("upscale.auto", data.astronaut(), preset="social", output_format="webp")
    assert (out.width, out.height) == (1080, 1080)
    assert decode(out.data).shape == (1080, 1080, 3)


def test_upscale_refuses_a_too_large_fast_input():
    with pytest.raises(ValueError, match="16 MP"):
        run("upscale.fast", np.zeros((1100, 1100, 3), np.uint8))


def test_upscaled_then_downscaled_image_is_close_to_the_original():
    original = data.astronaut()
    out = run("upscale.fast", original)
    upscaled = decode(out.data)
    assert upscaled.shape == (2048, 2048, 3)
    back = cv2.resize(upscaled, (512, 512), interpolation=cv2.INTER_AREA)
    assert psnr(back, original) > 28


def test_upscale_keeps_detail_sharper_than_plain_interpolation():
    original = data.astronaut()[128:384, 128:384]
    upscaled = decode(run("upscale.fast", original).data)
    bilinear = cv2.resize(original, (1024, 1024), interpolation=cv2.INTER_LINEAR)
    assert gradient_energy(upscaled) > 1.1 * gradient_energy(bilinear)


def test_transparency_is_kept_without_colour_bleeding():
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[:, :] = (200, 30, 30, 255)
    rgba[:, :16] = (0, 255, 0, 0)  # invisible green next to opaque red must not bleed into it
    out = run("upscale.fast", rgba)
    result = decode(out.data, "RGBA")
    assert result.shape == (256, 256, 4)
    assert result[128, 0, 3] == 0 and result[128, 128, 3] == 255
    assert tuple(result[128, 128, :3]) == pytest.approx((200, 30, 30), abs=3)
    visible = result[..., 3] > 64
    assert result[..., 1][visible].max() < 60
