"""Offline upscaling: detail-preserving resampling, no model weights.

``fast`` enlarges exactly 4x per side, ``conservative`` enlarges to about 4 MP,
and ``auto`` picks one of them from the input size, or resizes to a target
(a preset such as ``web``/``print``/``social`` or an explicit long side).

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

from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import check_output_format, content_type_of, encode, open_image
from studio_providers.local.cv import luma

MAX_OUTPUT_PIXELS = 4096 * 4096  # 16 MP, the ceiling of Stability's fast upscaler
FAST_FACTOR = 4
CONSERVATIVE_PIXELS = 2048 * 2048  # ~4 MP
AUTO_FAST_MAX_LONG_SIDE = 1024
PRESET_LONG_SIDES = {"web": 2048, "print": 3072, "social": 1080}
PRINT_DPI = 300
MODES = ("fast", "conservative", "auto", "creative")

MAX_STEP = 2.0  # largest enlargement per Lanczos step
SHARPEN_AMOUNT = 0.45  # unsharp-mask amount on edges, per step
SHARPEN_SIGMA = 1.0  # in output pixels of the step
FLAT_AMOUNT_FRACTION = 0.2  # share of the amount kept in flat areas
EDGE_LOW, EDGE_HIGH = 0.015, 0.12  # Sobel magnitude (0-1 image) where the mask ramps from flat to edge
STRIP_ROWS = 512  # sharpening works in strips so 16 MP outputs stay within modest memory
_SIXTEEN_BIT = 65535.0


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} MP"


def _check_limit(width: int, height: int) -> None:
    if width * height > MAX_OUTPUT_PIXELS:
        raise ValueError(
            f"the upscaled image would be {width}x{height} ({_megapixels(width * height)}), over the "
            f"16 MP limit ({MAX_OUTPUT_PIXELS} pixels); use a smaller input or a smaller target"
        )


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    if width >= height:
        return long_side, max(1, round(height * long_side / width))
    return max(1, round(width * long_side / height)), long_side


def _positive_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def _positive_int(name: str, value: object) -> int:
    number = _positive_number(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number of pixels, got {value!r}")
    return int(number)


def _print_size(width: int, height: int, print_width_in: object, print_height_in: object) -> tuple[int, int]:
    """Smallest size that gives at least PRINT_DPI on every given print dimension, aspect kept."""
    scales = []
    if print_width_in is not None:
        scales.append(_positive_number("print_width_in", print_width_in) * PRINT_DPI / width)
    if print_height_in is not None:
        scales.append(_positive_number("print_height_in", print_height_in) * PRINT_DPI / height)
    scale = max(scales)
    return max(1, math.ceil(width * scale - 1e-9)), max(1, math.ceil(height * scale - 1e-9))


def _conservative(width: int, height: int) -> tuple[int, int]:
    if width * height >= CONSERVATIVE_PIXELS:
        raise ValueError(
            f"the image is already {width}x{height} ({_megapixels(width * height)}); conservative upscaling "
            f"enlarges to about {_megapixels(CONSERVATIVE_PIXELS)} and never downscales"
        )
    return _scaled(width, height, math.sqrt(CONSERVATIVE_PIXELS / (width * height)))


def plan_upscale(
    width: int,
    height: int,
    mode: str,
    preset: str | None = None,
    target_long_side: int | None = None,
    *,
    print_width_in: float | None = None,
    print_height_in: float | None = None,
) -> tuple[str, int, int]:
    """Decide the output size: ``(resolved mode, out_width, out_height)``.

    The resolved mode is ``fast`` or ``conservative``, or for ``auto`` with a
    target the preset's name (``web``, ``print``, ``social``) or ``target``
    for an explicit ``target_long_side``. Presets and targets may downscale.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if mode == "creative":
        raise UnsupportedOperation(
            "creative upscaling invents new detail with a generative model, which the local provider does "
            "not have; use stability"
        )
    if mode not in MODES:
        raise ValueError(f"mode must be one of fast, conservative, auto; got {mode!r}")
    has_print = print_width_in is not None or print_height_in is not None
    targeted = preset is not None or target_long_side is not None or has_print
    if mode != "auto" and targeted:
        raise ValueError(f"preset, target_long_side and print sizes apply to auto mode only, not {mode}")
    if preset is not None and preset not in PRESET_LONG_SIDES:
        raise ValueError(f"preset must be one of {', '.join(PRESET_LONG_SIDES)}; got {preset!r}")
    if target_long_side is not None and (preset is not None or has_print):
        raise ValueError("give either target_long_side or a preset, not both")
    if has_print and preset not in (None, "print"):
        raise ValueError(f"print_width_in and print_height_in apply to the print preset, not {preset}")

    if mode == "fast":
        out_w, out_h = width * FAST_FACTOR, height * FAST_FACTOR
    elif mode == "conservative":
        out_w, out_h = _conservative(width, height)
    elif target_long_side is not None:
        mode = "target"
        out_w, out_h = _to_long_side(width, height, _positive_int("target_long_side", target_long_side))
    elif has_print:
        mode = "print"
        out_w, out_h = _print_size(width, height, print_width_in, print_height_in)
    elif preset is not None:
        mode = preset
        out_w, out_h = _to_long_side(width, height, PRESET_LONG_SIDES[preset])
    elif (
        max(width, height) <= AUTO_FAST_MAX_LONG_SIDE and width * height * FAST_FACTOR**2 <= MAX_OUTPUT_PIXELS
    ):
        mode = "fast"
        out_w, out_h = width * FAST_FACTOR, height * FAST_FACTOR
    else:
        if width * height >= CONSERVATIVE_PIXELS:
            raise ValueError(
                f"the image is already {width}x{height} ({_megapixels(width * height)}); auto upscaling "
                "needs a preset or target_long_side to go further"
            )
        mode = "conservative"
        out_w, out_h = _conservative(width, height)
    _check_limit(out_w, out_h)
    return mode, out_w, out_h


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
    _, out_w, out_h = plan_upscale(
        image.width,
        image.height,
        mode,
        preset=params.get("preset") or None,
        target_long_side=params.get("target_long_side"),
        print_width_in=params.get("print_width_in"),
        print_height_in=params.get("print_height_in"),
    )
    result = upscale_image(image, out_w, out_h)
    return ProviderOutput(
        encode(result, request.output_format), content_type_of(request.output_format), out_w, out_h
    )


UPSCALE_OPERATIONS = {
    "upscale.fast": upscale,
    "upscale.conservative": upscale,
    "upscale.auto": upscale,
}
