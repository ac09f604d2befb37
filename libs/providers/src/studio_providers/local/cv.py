"""Classical computer-vision helpers shared by the local provider's image operations.

Images travel as NumPy arrays: ``uint8`` RGB (H x W x 3) or RGBA (H x W x 4). Masks follow the product
rule (white = change, black = keep) and become ``bool`` arrays; mattes and weights are ``float32`` in
[0, 1]. Everything here is deterministic for a given input, except where a seed is passed explicitly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
from PIL import Image

from studio_providers.imaging import content_type_of, encode

WORK_SIDE = 640  # long side of the working copy used for segmentation
SALIENCY_SIDE = 128  # long side of the grid the saliency map is computed on
EDGE_SAMPLES = 256  # colour samples taken along the image edges for the background model
BOX_LEVEL = 0.6  # fraction of the Otsu level that still counts towards the subject's box
CLOSE_FRACTION = 0.04  # gap bridged when tidying a cut, as a fraction of the long side
BRIDGE_FRACTION = 0.2  # vertical gap (a neck, a collar) bridged, as a fraction of the height
RING_PIXELS = 12  # width of the surround sampled for grain around a filled hole
MAX_GRAIN = 12.0  # cap on the grain added to fills (8-bit levels)
GRAIN_SAMPLES = 200_000  # pixels the grain estimate looks at, at most


# ---------------------------------------------------------------------------
# Decoding, encoding, parameters
# ---------------------------------------------------------------------------


def decode_rgb(data: bytes) -> np.ndarray:
    """PNG/JPEG/WebP bytes -> uint8 RGB array. Transparent pixels are flattened onto white."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            flat.alpha_composite(rgba)
            return np.asarray(flat.convert("RGB"), dtype=np.uint8).copy()
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


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
    params: Mapping[str, Any], name: str, default: float, low: float, high: float, *, integer: bool = False
) -> float | int:
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
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"{name} must be a number, got {value!r}")
    if integer and float(value) != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")
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


def resize_long_side(array: np.ndarray, long_side: int) -> np.ndarray:
    """Shrink so the long side is at most ``long_side`` (never enlarges)."""
    height, width = array.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return array
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)


def resize_to(array: np.ndarray, width: int, height: int) -> np.ndarray:
    if array.shape[1] == width and array.shape[0] == height:
        return array
    shrinking = width < array.shape[1] and height < array.shape[0]
    return cv2.resize(array, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def cover(array: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale to cover width x height, then centre-crop to exactly that size."""
    src_h, src_w = array.shape[:2]
    scale = max(width / src_w, height / src_h)
    scaled_w, scaled_h = max(width, round(src_w * scale)), max(height, round(src_h * scale))
    scaled = resize_to(array, scaled_w, scaled_h)
    x0, y0 = (scaled_w - width) // 2, (scaled_h - height) // 2
    return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB -> float32 CIE L*a*b* (L 0..100, a/b about -128..127)."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def from_lab(lab: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (205, 32, 44),
    "crimson": (165, 20, 50),
    "scarlet": (230, 40, 30),
    "burgundy": (110, 20, 40),
    "maroon": (120, 25, 35),
    "orange": (245, 130, 30),
    "amber": (250, 170, 35),
    "coral": (250, 120, 90),
    "peach": (250, 185, 145),
    "yellow": (250, 215, 60),
    "gold": (230, 185, 60),
    "golden": (230, 185, 60),
    "mustard": (210, 170, 50),
    "green": (60, 160, 80),
    "emerald": (20, 140, 95),
    "lime": (150, 210, 60),
    "olive": (120, 130, 50),
    "mint": (150, 225, 185),
    "sage": (150, 175, 135),
    "teal": (20, 130, 135),
    "turquoise": (60, 200, 190),
    "cyan": (40, 200, 225),
    "aqua": (90, 215, 220),
    "blue": (40, 90, 200),
    "azure": (60, 140, 230),
    "cobalt": (30, 70, 170),
    "navy": (20, 35, 90),
    "indigo": (60, 40, 130),
    "purple": (120, 50, 160),
    "violet": (140, 90, 210),
    "lavender": (180, 160, 225),
    "lilac": (200, 165, 220),
    "magenta": (210, 40, 150),
    "fuchsia": (225, 50, 170),
    "pink": (240, 110, 170),
    "brown": (120, 75, 45),
    "tan": (200, 160, 110),
    "rust": (170, 75, 35),
    "beige": (225, 205, 170),
    "cream": (245, 235, 210),
    "ivory": (250, 245, 230),
    "black": (12, 12, 16),
    "white": (245, 245, 242),
    "grey": (128, 128, 132),
    "gray": (128, 128, 132),
    "silver": (192, 195, 200),
    "charcoal": (50, 52, 58),
}
_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")


_SHADES = {"light": 255, "pale": 255, "pastel": 255, "dark": 0, "deep": 0}
SHADE_MIX = 0.4  # how far "light"/"dark" move a colour towards white/black


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
            shade = words[index - 1] if index > 0 and words[index - 1] in _SHADES else None
            if shade is None:
                return word, COLOURS[word]
            rgb = tuple(round(c + SHADE_MIX * (_SHADES[shade] - c)) for c in COLOURS[word])
            return f"{shade} {word}", rgb  # type: ignore[return-value]
    return None


def colour_lab(rgb: tuple[int, int, int]) -> np.ndarray:
    return to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]


# ---------------------------------------------------------------------------
# Saliency and foreground matte
# ---------------------------------------------------------------------------


def saliency(rgb: np.ndarray) -> np.ndarray:
    """Where the subject probably is, as float32 in [0, 1] at the image's size.

    Background prior: the top, left and right edges of a photo are mostly background, so a pixel is
    salient when its colour is far from every colour seen along them. The bottom edge is left out on
    purpose: subjects (people, products on a table) usually stand on it. A centre weighting favours
    centred subjects over props at the sides.
    """
    small = cv2.GaussianBlur(resize_long_side(rgb, SALIENCY_SIDE), (3, 3), 0)
    lab = to_lab(small)
    height, width = lab.shape[:2]
    band = max(2, round(0.05 * min(height, width)))
    edges = np.concatenate(
        [lab[:band].reshape(-1, 3), lab[:, :band].reshape(-1, 3), lab[:, -band:].reshape(-1, 3)]
    )
    samples = edges[np.linspace(0, len(edges) - 1, min(EDGE_SAMPLES, len(edges))).astype(int)]
    pixels = lab.reshape(-1, 3)
    nearest = np.full(len(pixels), np.inf, dtype=np.float32)
    for sample in samples:  # one pixel-sized vector at a time keeps memory flat
        nearest = np.minimum(nearest, np.sum((pixels - sample) ** 2, axis=1))
    contrast = np.sqrt(nearest).reshape(height, width)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    centre = np.exp(-(((xs - width / 2) / (0.5 * width)) ** 2 + ((ys - height / 2) / (0.5 * height)) ** 2))
    salient = cv2.GaussianBlur(contrast * centre, (0, 0), 1.5)
    salient /= max(float(salient.max()), 1e-6)
    return resize_to(salient.astype(np.float32), rgb.shape[1], rgb.shape[0])


def _largest_components(binary: np.ndarray, keep_ratio: float = 0.15) -> np.ndarray:
    """Keep connected components at least ``keep_ratio`` the size of the largest one."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    if count <= 1:
        return binary.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= keep_ratio * areas.max()) + 1
    return np.isin(labels, keep)


def _fill_holes(binary: np.ndarray) -> np.ndarray:
    """Fill background regions that do not touch the image border."""
    inverse = (~binary).astype(np.uint8)
    count, labels = cv2.connectedComponents(inverse, connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes = (labels > 0) & ~np.isin(labels, border)
    return binary | holes


def _grabcut_seeds(salient: np.ndarray) -> np.ndarray:
    """GrabCut label map from a saliency map, as in GrabCut's own rectangle start: outside a box around
    the salient region is background, inside it probably foreground; the strongly salient core is
    taken as certain foreground so the cut cannot lose the subject."""
    level = cv2.threshold((salient * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    level = level / 255.0
    core = _largest_components(salient > level)
    extent = _largest_components(salient > BOX_LEVEL * level, keep_ratio=0.05)
    height, width = salient.shape
    labels = np.full(salient.shape, cv2.GC_BGD, dtype=np.uint8)
    ys, xs = np.nonzero(extent | core)
    if len(xs) == 0:  # flat image: centre box
        xs, ys = np.array([width // 4, 3 * width // 4]), np.array([height // 4, 3 * height // 4])
    margin_x, margin_y = round(0.03 * width), round(0.03 * height)
    x0, x1 = max(0, xs.min() - margin_x), min(width, xs.max() + margin_x + 1)
    y0, y1 = max(0, ys.min() - margin_y), min(height, ys.max() + margin_y + 1)
    labels[y0:y1, x0:x1] = cv2.GC_PR_FGD
    sure = cv2.erode(core.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    labels[sure & (salient > min(0.9, 1.5 * level))] = cv2.GC_FGD
    if not np.isin(labels, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():  # the box is the whole image
        labels[:, [0, -1]] = cv2.GC_PR_BGD
        labels[[0, -1], :] = cv2.GC_PR_BGD
    return labels


def _clean_cut(cut: np.ndarray) -> np.ndarray:
    """Tidy a hard cut: drop specks, bridge narrow gaps (a collar between head and body), fill holes."""
    side = max(cut.shape)
    opened = cv2.morphologyEx(cut.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)
    if not opened.any():
        opened = cut
    closed = opened.astype(np.uint8)
    size = max(3, round(CLOSE_FRACTION * side)) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    column = np.ones((max(3, round(BRIDGE_FRACTION * cut.shape[0])) | 1, 1), np.uint8)
    for kernel in (disc, column):  # the padding keeps closing from eating into the image border
        pad = max(kernel.shape)
        padded = cv2.copyMakeBorder(closed, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
        closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[pad:-pad, pad:-pad]
    return _fill_holes(_largest_components(closed.astype(bool)))


def guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Edge-aware smoothing of ``source`` following the grey ``guide`` (He et al.), float32 in/out."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(a: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(a, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_g, mean_s = mean(guide), mean(source)
    var_g = mean(guide * guide) - mean_g * mean_g
    a = (mean(guide * source) - mean_g * mean_s) / (var_g + eps)
    b = mean_s - a * mean_g
    return mean(a) * guide + mean(b)


def foreground_matte(rgb: np.ndarray, iterations: int = 4) -> np.ndarray:
    """Alpha matte of the main subject, float32 in [0, 1] at the image's size.

    Saliency seeds GrabCut on a copy at most WORK_SIDE px on the long side; the hard cut is cleaned
    (largest parts kept, holes filled), scaled back up and feathered with a guided filter so the edge
    follows the full-resolution image.
    """
    height, width = rgb.shape[:2]
    work = resize_long_side(rgb, WORK_SIDE)
    salient = saliency(work)
    labels = _grabcut_seeds(salient)
    background_model, foreground_model = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(work, labels, None, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
        cut = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    except cv2.error:  # degenerate colour models (e.g. a flat image): fall back to the seeds
        cut = labels != cv2.GC_BGD
    if not cut.any():
        cut = salient > 0.5
    cut = _clean_cut(cut)
    hard = resize_to(cut.astype(np.float32), width, height)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    radius = max(2, round(max(width, height) / 300))
    alpha = guided_filter(grey, hard, radius, 1e-3)
    alpha = np.clip((alpha - 0.02) / 0.96, 0.0, 1.0)
    return alpha.astype(np.float32)


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
