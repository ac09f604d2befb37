"""Offline upscaling: size planning, exact output sizes, and detail preservation."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from studio_common.upscale_plan import plan_upscale
from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.local.upscale import MAX_OUTPUT_PIXELS, UPSCALE_OPERATIONS, upscale

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


# --- the operation ------------------------------------------------------------------------------


def test_creative_needs_a_generative_model():
    request = ProviderRequest(
        kind="upscale.creative", model="local-upscale", inputs={"image": png(data.astronaut()[:64, :64])}
    )
    with pytest.raises(UnsupportedOperation, match="stability"):
        upscale(request)
    assert "upscale.creative" not in UPSCALE_OPERATIONS


def test_fast_upscale_output_is_exactly_four_times_each_side():
    source = data.chelsea()[:150, :200]
    out = run("upscale.fast", source)
    assert (out.width, out.height) == (800, 600)
    assert decode(out.data).shape == (600, 800, 3)
    assert out.content_type == "image/png"


def test_conservative_upscale_output_matches_the_plan():
    source = data.chelsea()  # 451x300
    out = run("upscale.conservative", source, output_format="jpeg")
    _, out_w, out_h = plan_upscale(451, 300, "conservative", max_pixels=MAX_OUTPUT_PIXELS)
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
