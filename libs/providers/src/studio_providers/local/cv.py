"""Classical computer-vision helpers shared by the local provider's image operations.

Images travel as NumPy arrays: ``uint8`` RGB (H x W x 3) or RGBA (H x W x 4). Masks follow the product
rule (white = change, black = keep) and become ``bool`` arrays; mattes and weights are ``float32`` in
[0, 1]. Everything here is deterministic for a given input, except where a seed is passed explicitly.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
from PIL import Image

from studio_providers.imaging import content_type_of, encode, open_image
from studio_providers.local.colour_names import COLOURS, SHADE_MIX, SHADES

RING_PIXELS = 12  # width of the surround sampled for grain around a filled hole
MAX_GRAIN = 12.0  # cap on the grain added to fills (8-bit levels)
GRAIN_SAMPLES = 200_000  # pixels the grain estimate looks at, at most


# ---------------------------------------------------------------------------
# Decoding, encoding, parameters
# ---------------------------------------------------------------------------


def _flattened_rgb(image: Image.Image) -> np.ndarray:
    """uint8 RGB; transparent pixels are flattened onto white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def decode_rgb(data: bytes) -> np.ndarray:
    """PNG/JPEG/WebP bytes -> uint8 RGB array, as stored (edits keep the pixel grid their masks were
    drawn on). Transparent pixels are flattened onto white."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return _flattened_rgb(image)


def decode_upright(data: bytes | None, role: str = "image", max_side: int | None = None) -> np.ndarray:
    """An input as uint8 RGB, upright per its EXIF orientation, transparency flattened onto white and,
    with ``max_side``, reduced to it on the long side; a missing or unreadable input names its role."""
    image = open_image(data, role)
    if max_side is not None and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _flattened_rgb(image)


def encode_array(array: np.ndarray, output_format: str) -> tuple[bytes, str]:
    """uint8 RGB/RGBA array -> (bytes, content type). An RGBA result asked for as JPEG is written as PNG,
    because JPEG cannot hold the transparency the operation produced; the content type says so."""
    if output_format not in ("png", "jpeg", "webp"):
        raise ValueError(f"unknown output_format {output_format!r}; expected png, jpeg or webp")
    has_alpha = array.ndim == 3 and array.shape[2] == 4
    fmt = "png" if has_alpha and output_format == "jpeg" else output_format
    image = Image.fromarray(np.ascontiguousarray(array), "RGBA" if has_alpha else "RGB")
    return encode(image, fmt), content_type_of(fmt)


def number_param(
    params: Mapping[str, Any],
    name: str,
    default: float | None,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    integer: bool = False,
) -> float | int | None:
    """A numeric operation field, range-checked. ``None`` or absent means the default; 0 is a value.
    Numeric strings (form fields) are accepted."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"{name} must be a number, got {params[name]!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if integer and float(value) != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return int(value) if integer else float(value)


# ---------------------------------------------------------------------------
# Masks
# ---------------------------------------------------------------------------


def load_mask(data: bytes, width: int, height: int) -> np.ndarray:
    """Mask bytes -> bool array (True = change): white (>= 128 grey) means change. In a mask with
    transparency, transparent pixels mean keep."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.size != (width, height):
            got = f"{image.size[0]}x{image.size[1]}"
            raise ValueError(f"mask must be {width}x{height} like the image, got {got}")
        grey = np.asarray(image.convert("L"), dtype=np.uint8)
        if image.mode in ("RGBA", "LA"):
            alpha = np.asarray(image.getchannel("A"), dtype=np.uint8)
            if alpha.min() < 255:
                grey = np.minimum(grey, alpha)
    mask = grey >= 128
    if not mask.any():
        raise ValueError("mask is empty: nothing to change")
    return mask


def transparent_region(data: bytes) -> np.ndarray | None:
    """Where an image is transparent (alpha < 128), as a bool array; None when nothing is."""
    with Image.open(io.BytesIO(data)) as image:
        if "A" not in image.getbands() and "transparency" not in image.info:
            return None
        alpha = np.asarray(image.convert("RGBA").getchannel("A"), dtype=np.uint8)
    region = alpha < 128
    return region if region.any() else None


def grow_mask(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Grow a bool mask by ``pixels`` in every direction (Euclidean), 0 = unchanged. A distance
    transform makes this cost the same for 1 px and 100 px."""
    if pixels <= 0:
        return mask.copy()
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return distance <= pixels


def feather_inside(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Float weight that is 1 deep inside ``mask``, ramps down over ``pixels`` towards its edge and is
    exactly 0 outside it, so blending with it never touches pixels outside the mask."""
    if pixels <= 0:
        return mask.astype(np.float32)
    distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip(distance / float(pixels), 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------
# Resizing and colour
# ---------------------------------------------------------------------------


def fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size with the long side at most ``long_side``, aspect kept (never enlarges)."""
    scale = long_side / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def resize_long_side(array: np.ndarray, long_side: int) -> np.ndarray:
    """Shrink so the long side is at most ``long_side`` (never enlarges)."""
    height, width = array.shape[:2]
    size = fit_long_side(width, height, long_side)
    if size == (width, height):
        return array
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)


def resize_to(array: np.ndarray, width: int, height: int, enlarge: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Resize to exactly width x height: area averaging when the result has fewer pixels, else the
    ``enlarge`` interpolation (linear by default; cubic or Lanczos where detail matters more than time)."""
    if array.shape[1] == width and array.shape[0] == height:
        return array
    shrinking = width * height < array.shape[0] * array.shape[1]
    return cv2.resize(array, (width, height), interpolation=cv2.INTER_AREA if shrinking else enlarge)


def cover(array: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale to cover width x height, then centre-crop to exactly that size."""
    src_h, src_w = array.shape[:2]
    scale = max(width / src_w, height / src_h)
    scaled_w, scaled_h = max(width, round(src_w * scale)), max(height, round(src_h * scale))
    scaled = resize_to(array, scaled_w, scaled_h)
    x0, y0 = (scaled_w - width) // 2, (scaled_h - height) // 2
    return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])


# ITU-R BT.601 weights, the ones OpenCV's RGB2GRAY uses: the one definition of brightness for the local
# provider, so a grey from OpenCV and a luma computed here agree.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Brightness of RGB pixels (or of a list of RGB colours), on the scale they are given in."""
    return rgb[..., :3] @ LUMA_WEIGHTS


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """RGB, uint8 or float in 0..1 -> float32 CIE L*a*b* (L 0..100, a/b about -128..127)."""
    unit = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32, copy=False)
    return cv2.cvtColor(np.ascontiguousarray(unit), cv2.COLOR_RGB2LAB)


def from_lab_unit(lab: np.ndarray) -> np.ndarray:
    """L*a*b* -> float32 RGB in 0..1."""
    rgb = cv2.cvtColor(np.ascontiguousarray(lab, dtype=np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(rgb, 0.0, 1.0)


def from_lab(lab: np.ndarray) -> np.ndarray:
    """L*a*b* -> uint8 RGB."""
    return (from_lab_unit(lab) * 255.0 + 0.5).astype(np.uint8)


_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")


def colour_in(text: str) -> tuple[str, tuple[int, int, int]] | None:
    """The first colour named in ``text`` (a word from COLOURS, optionally "light"/"pale"/"dark"/"deep",
    or a #rrggbb code) as (name, RGB), or None."""
    hex_code = _HEX.search(text)
    if hex_code:
        value = int(hex_code.group(1), 16)
        return hex_code.group(0), ((value >> 16) & 255, (value >> 8) & 255, value & 255)
    words = re.findall(r"[a-z]+", text.lower())
    for index, word in enumerate(words):
        if word in COLOURS:
            shade = words[index - 1] if index > 0 and words[index - 1] in SHADES else None
            if shade is None:
                return word, COLOURS[word]
            rgb = tuple(round(c + SHADE_MIX * (SHADES[shade] - c)) for c in COLOURS[word])
            return f"{shade} {word}", rgb  # type: ignore[return-value]
    return None


def colour_lab(rgb: tuple[int, int, int]) -> np.ndarray:
    return to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]


# ---------------------------------------------------------------------------
# Filling and tone
# ---------------------------------------------------------------------------


def grain_sigma(rgb: np.ndarray, region: np.ndarray | None = None) -> np.ndarray:
    """Per-channel spread of the fine texture (image minus a light blur), over ``region`` (bool) or the
    whole image; used to give filled areas the grain of their surroundings. The median absolute
    deviation is used so that edges crossing the region do not count as grain."""
    image = rgb.astype(np.float32)
    residual = image - cv2.GaussianBlur(image, (0, 0), 1.5)
    pixels = residual[region] if region is not None and region.any() else residual.reshape(-1, 3)
    pixels = pixels[:: max(1, len(pixels) // GRAIN_SAMPLES)]
    spread = 1.4826 * np.median(np.abs(pixels - np.median(pixels, axis=0)), axis=0)
    return np.minimum(spread, MAX_GRAIN).astype(np.float32)


def inpaint_fill(rgb: np.ndarray, mask: np.ndarray, seed: int, radius: int = 3) -> np.ndarray:
    """Fill ``mask`` from its surroundings (OpenCV TELEA), then add seeded grain matching the texture
    around the hole so large fills are not plastic-smooth. Pixels outside ``mask`` are returned
    unchanged."""
    filled = cv2.inpaint(rgb, mask.astype(np.uint8) * 255, radius, cv2.INPAINT_TELEA)
    ring = grow_mask(mask, RING_PIXELS) & ~mask
    sigma = grain_sigma(rgb, ring)
    if float(sigma.max()) >= 0.5:
        noise = np.random.default_rng(seed).standard_normal(rgb.shape[:2], dtype=np.float32)
        weight = feather_inside(mask, 3)[..., None]
        grain = noise[..., None] * sigma * weight
        filled = np.clip(filled.astype(np.float32) + grain + 0.5, 0, 255).astype(np.uint8)
    return np.where(mask[..., None], filled, rgb)


Stats = tuple[np.ndarray, np.ndarray]  # per-channel mean and standard deviation


def lab_stats(lab: np.ndarray, weight: np.ndarray | None = None) -> Stats:
    """Weighted per-channel mean and standard deviation of a L*a*b* image."""
    pixels = lab.reshape(-1, 3).astype(np.float64)
    w = np.ones(len(pixels)) if weight is None else weight.reshape(-1).astype(np.float64)
    total = max(float(w.sum()), 1e-6)
    mean = (pixels * w[:, None]).sum(axis=0) / total
    var = (((pixels - mean) ** 2) * w[:, None]).sum(axis=0) / total
    return mean.astype(np.float32), np.sqrt(var).astype(np.float32)


def transfer_tone(lab: np.ndarray, source: Stats, target: Stats, strength: float) -> np.ndarray:
    """Move L*a*b* colours from the ``source`` statistics towards the ``target`` ones (Reinhard colour
    transfer), by ``strength`` in [0, 1]. The contrast ratio is bounded so a flat reference cannot
    wash the image out."""
    (mean_s, std_s), (mean_t, std_t) = source, target
    ratio = np.clip(std_t / np.maximum(std_s, 1e-3), 0.5, 2.0)
    moved = (lab - mean_s) * ratio + mean_t
    return lab + strength * (moved - lab)
