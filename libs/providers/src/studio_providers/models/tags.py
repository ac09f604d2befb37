"""Content tags and a perceptual hash computed from an output's own pixels, whatever made it.

Tags: ``person``, ``portrait`` (one face large in the frame), ``group`` (three faces or more), the face
count (``1 face``, ``2 faces``), ``transparent background``, the orientation (``horizontal``,
``vertical``, ``square``), up to three dominant colour names, and ``high contrast`` / ``low contrast``.
Whether an image holds text is not measured: no text detector ships with the code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from studio_providers.models.faces import find_faces

ANALYSIS_SIDE = 512
# Tags need faces of a few % of the frame, not the tiniest: half-size tiles of at least 192 px only.
FACE_TILE_LEVELS, FACE_MIN_TILE = (1, 2), 192
PORTRAIT_FACE_AREA = 0.02  # a face covering this share of the frame makes a portrait
GROUP_FACES = 3
SQUARE_TOLERANCE = 0.05
COLOUR_SHARE = 0.15  # a colour must cover this share of the (opaque) image to be named
MAX_COLOURS = 3
HIGH_CONTRAST, LOW_CONTRAST = 0.28, 0.08  # RMS contrast of luminance (0..1)

# Basic colour terms (Berlin & Kay) as sRGB anchors; the nearest in L*a*b* names a cluster.
BASIC_COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (200, 30, 40),
    "orange": (240, 130, 30),
    "yellow": (240, 215, 50),
    "green": (60, 150, 60),
    "teal": (20, 130, 135),
    "blue": (40, 80, 200),
    "purple": (120, 50, 160),
    "pink": (240, 130, 180),
    "brown": (120, 75, 40),
    "beige": (220, 200, 165),
    "black": (15, 15, 15),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
}


@dataclass(frozen=True, slots=True)
class Description:
    tags: list[str] = field(default_factory=list)
    phash: str | None = None  # 64-bit DCT hash as 16 hex digits
    methods: dict[str, str] = field(default_factory=dict)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


_ANCHOR_NAMES = list(BASIC_COLOURS)
_ANCHORS = _lab(np.array([list(BASIC_COLOURS.values())], np.uint8))[0]
_ANCHOR_NORMS = (_ANCHORS**2).sum(axis=1)


def colour_names(rgb: np.ndarray, opaque: np.ndarray | None = None) -> list[str]:
    """The basic colour names covering at least COLOUR_SHARE of the pixels, most common first."""
    pixels = rgb.reshape(-1, 3)
    if opaque is not None:
        pixels = pixels[opaque.reshape(-1)]
    if len(pixels) == 0:
        return []
    # Sampled before the conversion, which works pixel by pixel: the same pixels, a fraction of the work.
    sampled = pixels[:: max(1, len(pixels) // 20_000)]
    lab = _lab(np.ascontiguousarray(sampled)[:, None, :])[:, 0, :]
    # The nearest anchor by |p - a|^2 = |p|^2 - 2 p.a + |a|^2, where |p|^2 is the same for every anchor.
    # p.a element by element, not as a matrix product: BLAS would spin threads of its own for it.
    dots = lab[:, 0:1] * _ANCHORS[:, 0] + lab[:, 1:2] * _ANCHORS[:, 1] + lab[:, 2:3] * _ANCHORS[:, 2]
    nearest = np.argmin(_ANCHOR_NORMS - 2.0 * dots, axis=1)
    counts = np.bincount(nearest, minlength=len(_ANCHORS)) / len(sampled)
    order = [int(i) for i in np.argsort(-counts) if counts[i] >= COLOUR_SHARE]
    return [_ANCHOR_NAMES[i] for i in order[:MAX_COLOURS]]


def perceptual_hash(rgb: np.ndarray) -> str:
    """pHash (Zauner 2010): the 8x8 lowest frequencies of a 32x32 grey DCT against their median."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].reshape(-1)
    bits = low > np.median(low[1:])
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _orientation(width: int, height: int) -> str:
    if abs(width - height) <= SQUARE_TOLERANCE * max(width, height):
        return "square"
    return "horizontal" if width > height else "vertical"


def _face_tags(rgb: np.ndarray) -> tuple[list[str], str]:
    scan = find_faces(rgb, FACE_TILE_LEVELS, FACE_MIN_TILE)
    if not scan.count:
        return [], scan.method
    tags = ["person", f"{scan.count} face" if scan.count == 1 else f"{scan.count} faces"]
    x0, y0, x1, y1 = scan.boxes[0]
    if scan.count == 1 and (x1 - x0) * (y1 - y0) >= PORTRAIT_FACE_AREA:
        tags.append("portrait")
    if scan.count >= GROUP_FACES:
        tags.append("group")
    return tags, scan.method


def describe_image(data: bytes) -> Description:
    """Tags, hash and the face method of encoded image bytes (PNG, JPEG, WebP)."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        image.draft("RGB", (ANALYSIS_SIDE, ANALYSIS_SIDE))  # JPEG: decode at a reduced scale
        rgba = np.asarray(image.convert("RGBA"))
    scale = ANALYSIS_SIDE / max(rgba.shape[:2])
    if scale < 1:
        size = (max(1, round(rgba.shape[1] * scale)), max(1, round(rgba.shape[0] * scale)))
        rgba = cv2.resize(rgba, size, interpolation=cv2.INTER_AREA)
    alpha = rgba[..., 3]
    opaque = alpha >= 128
    rgb = np.ascontiguousarray(rgba[..., :3])
    face_tags, face_method = _face_tags(rgb)
    tags = [*face_tags]
    if (~opaque).mean() >= 0.05:
        tags.append("transparent background")
    tags.append(_orientation(width, height))
    tags.extend(colour_names(rgb, opaque if opaque.any() else None))
    luminance = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[opaque if opaque.any() else slice(None)] / 255.0
    contrast = float(luminance.std()) if luminance.size else 0.0
    if contrast >= HIGH_CONTRAST:
        tags.append("high contrast")
    elif contrast <= LOW_CONTRAST:
        tags.append("low contrast")
    return Description(tags, perceptual_hash(rgb), {"faces": face_method})


def describe_output(data: bytes, content_type: str) -> Description:
    """A Description for an image; an empty one for video, audio or 3D (their pixels are not read)."""
    if not content_type.startswith("image/"):
        return Description()
    try:
        return describe_image(data)
    except (OSError, ValueError):  # not decodable: the output is still delivered, only undescribed
        return Description()
