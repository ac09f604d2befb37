"""Offline upscaling: detail-preserving resampling, no model weights.

The output size is planned by `studio_common.upscale_plan` (shared with the gateway, which refuses a
size before anything is reserved), within the local offer's ``max_output_pixels``.

The resampler enlarges with Lanczos in steps of at most 2x and applies a mild
unsharp mask after each step. The mask is edge-aware: its amount falls off in
flat areas so noise and smooth gradients are not amplified, while edges and
fine texture stay crisp. Transparent images are resampled premultiplied so
colour does not bleed in from invisible pixels.

``creative`` upscaling invents plausible new detail with a generative model;
no honest local equivalent exists, so it is refused.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

from studio_common.catalog import Incapable
from studio_common.upscale_plan import plan_upscale
from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import check_output_format, content_type_of, encode, open_image
from studio_providers.local import offer
from studio_providers.local.cv import luma

MAX_OUTPUT_PIXELS = offer.RENDER.max_output_pixels

MAX_STEP = 2.0  # largest enlargement per Lanczos step
SHARPEN_AMOUNT = 0.45  # unsharp-mask amount on edges, per step
SHARPEN_SIGMA = 1.0  # in output pixels of the step
FLAT_AMOUNT_FRACTION = 0.2  # share of the amount kept in flat areas
EDGE_LOW, EDGE_HIGH = 0.015, 0.12  # Sobel magnitude (0-1 image) where the mask ramps from flat to edge
STRIP_ROWS = 512  # sharpening works in strips so 16 MP outputs stay within modest memory
_SIXTEEN_BIT = 65535.0


# ---------------------------------------------------------------------------
# Resampling
# ---------------------------------------------------------------------------


def _smoothstep(edge0: float, edge1: float, t: np.ndarray) -> np.ndarray:
    u = np.clip((t - edge0) / (edge1 - edge0), 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _sharpen(pixels: np.ndarray, colour_channels: int, amount: float, sigma: float) -> None:
    """Edge-aware unsharp mask, in place, on a uint16 image, strip by strip."""
    height = pixels.shape[0]
    margin = int(math.ceil(sigma * 4)) + 2
    above = None  # the unsharpened rows just above the current strip
    for top in range(0, height, STRIP_ROWS):
        bottom = min(height, top + STRIP_ROWS)
        lo, hi = max(0, top - margin), min(height, bottom + margin)
        source = pixels[lo:hi, :, :colour_channels].copy()
        if above is not None:
            source[: top - lo] = above
        above = source[max(0, bottom - margin) - lo : bottom - lo]
        strip = source.astype(np.float32) * np.float32(1 / _SIXTEEN_BIT)
        blurred = cv2.GaussianBlur(strip, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
        brightness = luma(blurred) if colour_channels == 3 else blurred[..., 0]
        gx = cv2.Sobel(brightness, cv2.CV_32F, 1, 0, ksize=3, scale=0.25)
        gy = cv2.Sobel(brightness, cv2.CV_32F, 0, 1, ksize=3, scale=0.25)
        edge = _smoothstep(EDGE_LOW, EDGE_HIGH, cv2.magnitude(gx, gy))
        weight = amount * (FLAT_AMOUNT_FRACTION + (1.0 - FLAT_AMOUNT_FRACTION) * edge)
        strip += (strip - blurred) * weight[..., None]
        inner = strip[top - lo : top - lo + (bottom - top)]
        np.clip(inner * _SIXTEEN_BIT + 0.5, 0, _SIXTEEN_BIT, out=inner)
        pixels[top:bottom, :, :colour_channels] = inner.astype(np.uint16)


def _step_sizes(width: int, height: int, out_w: int, out_h: int) -> list[tuple[int, int]]:
    factor = max(out_w / width, out_h / height)
    steps = max(1, math.ceil(math.log(factor, MAX_STEP) - 1e-9))
    sizes = [
        (
            max(1, round(width * (out_w / width) ** (k / steps))),
            max(1, round(height * (out_h / height) ** (k / steps))),
        )
        for k in range(1, steps)
    ]
    return [*sizes, (out_w, out_h)]


def resample(pixels: np.ndarray, out_w: int, out_h: int, colour_channels: int = 3) -> np.ndarray:
    """Resize a uint16 image (H, W, C) to exactly out_w x out_h.

    Enlargement runs in Lanczos steps of at most 2x, each followed by the
    edge-aware unsharp mask on the first ``colour_channels`` channels;
    reduction is one area-average step.
    """
    height, width = pixels.shape[:2]
    if (out_w, out_h) == (width, height):
        return pixels
    if out_w * out_h < width * height:
        return cv2.resize(pixels, (out_w, out_h), interpolation=cv2.INTER_AREA)
    for step_w, step_h in _step_sizes(width, height, out_w, out_h):
        pixels = cv2.resize(pixels, (step_w, step_h), interpolation=cv2.INTER_LANCZOS4)
        if pixels.ndim == 2:
            pixels = pixels[..., None]
        _sharpen(pixels, colour_channels, SHARPEN_AMOUNT, SHARPEN_SIGMA)
    return pixels


def upscale_image(image: Image.Image, out_w: int, out_h: int) -> Image.Image:
    """Resample a Pillow image to exactly out_w x out_h, keeping any transparency."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint32)
        alpha = rgba[..., 3:]
        # Premultiplied, 16-bit: colour under transparent pixels cannot bleed into visible ones.
        colour = (rgba[..., :3] * alpha * 65535 + 255 * 127) // (255 * 255)
        pixels = np.concatenate([colour, alpha * 257], axis=2).astype(np.uint16)
        result = resample(pixels, out_w, out_h).astype(np.float32)
        alpha_out = result[..., 3:]
        colour_out = np.minimum(result[..., :3], alpha_out) * 255.0 / np.maximum(alpha_out, 1.0)
        out = np.concatenate([colour_out, alpha_out / 257.0], axis=2)
        return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGBA")
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint16) * np.uint16(257)
    result = resample(rgb, out_w, out_h)
    return Image.fromarray(((result.astype(np.uint32) + 128) // 257).astype(np.uint8), "RGB")


# ---------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------


def upscale(request: ProviderRequest) -> ProviderOutput:
    """``upscale.fast``, ``upscale.conservative`` and ``upscale.auto``."""
    mode = request.kind.split(".", 1)[1] if request.kind.startswith("upscale.") else request.kind
    check_output_format(request.output_format)
    params = request.params
    image = open_image(request.inputs.get("image"))
    try:
        _, out_w, out_h = plan_upscale(
            image.width,
            image.height,
            mode,
            preset=params.get("preset") or None,
            target_long_side=params.get("target_long_side"),
            print_width_in=params.get("print_width_in"),
            print_height_in=params.get("print_height_in"),
            max_pixels=MAX_OUTPUT_PIXELS,
        )
    except Incapable as exc:
        raise UnsupportedOperation(str(exc)) from exc
    result = upscale_image(image, out_w, out_h)
    return ProviderOutput(
        encode(result, request.output_format), content_type_of(request.output_format), out_w, out_h
    )


UPSCALE_OPERATIONS = {
    "upscale.fast": upscale,
    "upscale.conservative": upscale,
    "upscale.auto": upscale,
}
