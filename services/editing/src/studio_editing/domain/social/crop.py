"""Crop geometry for the social optimizer (pure arithmetic, no images).

Coordinates: focal points and face boxes are normalised to 0–1 of the source image; returned boxes
are integer pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CropMode = Literal["smart", "center", "fit"]
CROP_MODES: tuple[str, ...] = ("smart", "center", "fit")

NormPoint = tuple[float, float]
NormBox = tuple[float, float, float, float]  # (x0, y0, x1, y1), normalised

FACE_ROOM = 0.2  # margin kept around a face box when it fits, as a fraction of the face size


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def contains_point(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom

    def contains_box(self, other: Box) -> bool:
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


def largest_crop_size(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int]:
    """Size of the largest crop of the source with the destination's aspect ratio."""
    _check_size(src_w, src_h, "source")
    _check_size(dst_w, dst_h, "target")
    # Compare aspects with integers to avoid float ties.
    if src_w * dst_h >= dst_w * src_h:  # source is wider: full height
        h = src_h
        w = min(src_w, max(1, round(src_h * dst_w / dst_h)))
    else:  # source is taller: full width
        w = src_w
        h = min(src_h, max(1, round(src_w * dst_h / dst_w)))
    return w, h


def _clamp(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else min(v, hi)


def _place_axis(
    size: int, crop: int, focal_px: float, anchor: float, keeps: list[tuple[float, float]]
) -> int:
    """Start of a ``crop``-long window on an axis of ``size`` pixels.

    The focal point lands at ``anchor`` (0..1) of the window as nearly as the edges allow. The
    first span of ``keeps`` (start, end in pixels) that fits inside the window is then fully
    contained, by shifting the window as little as possible. The window always stays inside
    ``[0, size]``.
    """
    start = math.floor(focal_px - crop * anchor + 0.5)
    for k_start, k_end in keeps:
        k0 = max(0, math.floor(k_start))
        k1 = min(size, math.ceil(k_end))
        if k1 - k0 <= crop:
            start = min(start, k0)
            start = max(start, k1 - crop)
            break
    return int(_clamp(start, 0, size - crop))


def crop_box(
    src_w: int,
    src_h: int,
    dst_w: int,
    dst_h: int,
    focal: NormPoint | None = None,
    mode: CropMode | str = "smart",
    face_box: NormBox | None = None,
    anchor: NormPoint = (0.5, 0.5),
    face_boxes: Sequence[NormBox] = (),
) -> Box:
    """Where to take a ``dst_w``×``dst_h`` output from a ``src_w``×``src_h`` source.

    * ``smart``: the largest crop of the target aspect ratio with ``focal`` (normalised ``(x, y)``;
      the centre when ``None``) as close to the crop's ``anchor`` point (normalised within the
      crop; the centre by default, the centre of the safe zone when the renderer knows it) as the
      image edges allow. When ``face_box`` (normalised ``(x0, y0, x1, y1)``) is given, the crop is
      shifted so that the box with some head room, or else the bare box, is wholly inside it,
      provided it fits. ``face_boxes`` (each face, largest first) does the same for all the faces
      together when they fit, else for as many of the largest as fit. Returns the crop in source
      pixels.
    * ``center``: the largest centred crop of the target aspect ratio, in source pixels.
    * ``fit``: letterbox: the whole source scaled to fit inside the target, centred. Returns the
      placement of the scaled source inside the target, in target pixels; the rest is padding.
    """
    if mode == "fit":
        return fit_box(src_w, src_h, dst_w, dst_h)
    if mode not in ("smart", "center"):
        raise ValueError(f"unknown crop mode {mode!r}; expected one of {', '.join(CROP_MODES)}")
    cw, ch = largest_crop_size(src_w, src_h, dst_w, dst_h)
    if mode == "center" or focal is None:
        fx, fy = 0.5, 0.5
    else:
        fx, fy = _clamp(float(focal[0]), 0.0, 1.0), _clamp(float(focal[1]), 0.0, 1.0)
    ax, ay = (0.5, 0.5) if mode == "center" else (_clamp(anchor[0], 0, 1), _clamp(anchor[1], 0, 1))
    keep_x: list[tuple[float, float]] = []
    keep_y: list[tuple[float, float]] = []
    if mode == "smart":
        faces = list(face_boxes) or ([face_box] if face_box is not None else [])
        for count in range(len(faces), 0, -1):  # all the faces, else the largest ones that fit
            kx, ky = _face_spans(_union(faces[:count]), src_w, src_h)
            keep_x += kx
            keep_y += ky
    left = _place_axis(src_w, cw, fx * src_w, ax, keep_x)
    top = _place_axis(src_h, ch, fy * src_h, ay, keep_y)
    return Box(left, top, cw, ch)


def _union(boxes: Sequence[NormBox]) -> NormBox:
    return (
        min(min(b[0], b[2]) for b in boxes),
        min(min(b[1], b[3]) for b in boxes),
        max(max(b[0], b[2]) for b in boxes),
        max(max(b[1], b[3]) for b in boxes),
    )


def _face_spans(box: NormBox, src_w: int, src_h: int) -> tuple[list, list]:
    """Spans to keep on each axis for a face box: with head room first, then the bare box."""
    x0, x1 = box[0] * src_w, box[2] * src_w
    y0, y1 = box[1] * src_h, box[3] * src_h
    pw, ph = (x1 - x0) * FACE_ROOM, (y1 - y0) * FACE_ROOM
    return [(x0 - pw, x1 + pw), (x0, x1)], [(y0 - 1.5 * ph, y1 + ph), (y0, y1)]  # room above: hair


def fit_box(src_w: int, src_h: int, dst_w: int, dst_h: int) -> Box:
    """Letterbox placement: the source scaled to fit inside the target and centred (target pixels)."""
    _check_size(src_w, src_h, "source")
    _check_size(dst_w, dst_h, "target")
    scale = min(dst_w / src_w, dst_h / src_h)
    w = min(dst_w, max(1, round(src_w * scale)))
    h = min(dst_h, max(1, round(src_h * scale)))
    return Box((dst_w - w) // 2, (dst_h - h) // 2, w, h)


def resize_scale(src_w: int, src_h: int, dst_w: int, dst_h: int, mode: CropMode | str = "smart") -> float:
    """The linear scale the source undergoes for this target (used to pick a shrink-on-load factor)."""
    if mode == "fit":
        box = fit_box(src_w, src_h, dst_w, dst_h)
        return max(box.width / src_w, box.height / src_h)
    cw, ch = largest_crop_size(src_w, src_h, dst_w, dst_h)
    return max(dst_w / cw, dst_h / ch)


def _check_size(w: int, h: int, what: str) -> None:
    if w < 1 or h < 1:
        raise ValueError(f"{what} size must be positive, got {w}x{h}")
