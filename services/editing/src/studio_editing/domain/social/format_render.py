"""Rendering one format: crop around the focal point (or fit on a background), resize to the exact
size, mark the safe zone if asked, and encode under the platform's size limit (lower quality first,
then less fine detail)."""

from __future__ import annotations

from collections.abc import Sequence

import pyvips

from studio_common.content_types import IMAGE_TYPES
from studio_common.social_formats import SocialFormat

from .crop import Box, crop_box, fit_box
from .focal import FocalPoint
from .outputs import SizeLimitError, SocialOutput

DEFAULT_QUALITY = 90
QUALITY_STEPS = (85, 75, 65, 50)  # tried in order when an output is over its size limit
DETAIL_STEPS = (0.75, 0.5, 0.35, 0.25, 0.125, 0.0625)  # last resort, at the lowest quality step
FINAL_QUALITY_STEPS = (30, 15, 5)  # at the smallest detail step, before giving up
SAFE_ZONE_TINT = (220, 40, 40)
SAFE_ZONE_ALPHA = 0.4
RESIZE_KERNEL = "lanczos3"


def _resize_exact(img: pyvips.Image, width: int, height: int, kernel: str = RESIZE_KERNEL) -> pyvips.Image:
    out = img.resize(width / img.width, vscale=height / img.height, kernel=kernel)
    if out.width != width or out.height != height:  # rounding guard: at most a pixel off
        out = out.gravity("centre", width, height, extend="copy")
    return out


def _ink(img: pyvips.Image, rgb: Sequence[float]) -> list[float]:
    colour = list(rgb)
    if img.bands in (1, 2):
        colour = [0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]]
    if img.hasalpha():
        colour = colour + [255.0]
    return colour


def draw_safe_zone(img: pyvips.Image, fmt: SocialFormat) -> pyvips.Image:
    """Tint the margins outside the format's safe zone and outline the safe rectangle."""
    w, h = img.width, img.height
    left, top, sw, sh = fmt.safe_zone.rect(w, h)
    alpha = round(255 * SAFE_ZONE_ALPHA)
    mask = pyvips.Image.black(w, h)
    for x, y, rw, rh in (
        (0, 0, w, top),
        (0, top + sh, w, h - top - sh),
        (0, top, left, sh),
        (left + sw, top, w - left - sw, sh),
    ):
        if rw > 0 and rh > 0:
            mask = mask.draw_rect(alpha, x, y, rw, rh, fill=True)
    out = mask.cast("uchar").ifthenelse(_ink(img, SAFE_ZONE_TINT), img, blend=True)
    line = max(1, round(min(w, h) / 400))
    ink = _ink(img, (255, 255, 255))
    for i in range(line):
        if sw - 2 * i > 0 and sh - 2 * i > 0:
            out = out.draw_rect(ink, left + i, top + i, sw - 2 * i, sh - 2 * i, fill=False)
    return out


def _encode(img: pyvips.Image, kind: str, quality: int | None, keep_icc: bool, dither: float = 1.0) -> bytes:
    keep = "icc" if keep_icc else "none"
    if kind == "jpeg":
        return img.jpegsave_buffer(
            Q=quality or DEFAULT_QUALITY, interlace=False, subsample_mode="on", keep=keep
        )
    if kind == "webp":
        return img.webpsave_buffer(Q=quality or DEFAULT_QUALITY, effort=4, keep=keep)
    if quality is None:
        return img.pngsave_buffer(compression=6, keep=keep)
    # palette PNG; dithering is turned off for detail-reduced images, where it would only add noise
    return img.pngsave_buffer(compression=6, palette=True, Q=quality, dither=dither, effort=3, keep=keep)


def _encode_within(
    img: pyvips.Image, kind: str, max_bytes: int, keep_icc: bool
) -> tuple[bytes, int | None, float]:
    """Encode ``img`` under ``max_bytes``: returns (data, quality, detail_scale)."""
    first_q = None if kind == "png" else DEFAULT_QUALITY
    data = _encode(img, kind, first_q, keep_icc)
    if len(data) <= max_bytes:
        return data, first_q, 1.0
    img = img.copy_memory()  # encoded several times from here on: render the pipeline once
    # palette PNG barely shrinks with quality: try only the first and the last step
    steps = QUALITY_STEPS if kind != "png" else (QUALITY_STEPS[0], QUALITY_STEPS[-1])
    for q in steps:
        data = _encode(img, kind, q, keep_icc)
        if len(data) <= max_bytes:
            return data, q, 1.0
    low_q = QUALITY_STEPS[-1]
    w, h = img.width, img.height
    for scale in DETAIL_STEPS:
        blurred = _reduce_detail(img, scale)
        qualities = (low_q,) if scale != DETAIL_STEPS[-1] else (low_q, *FINAL_QUALITY_STEPS)
        for q in qualities:
            data = _encode(blurred, kind, q, keep_icc, dither=0.0)
            if len(data) <= max_bytes:
                return data, q, scale
    raise SizeLimitError(f"cannot encode a {w}x{h} {kind} image under {max_bytes} bytes")


def _reduce_detail(img: pyvips.Image, scale: float) -> pyvips.Image:
    w, h = img.width, img.height
    small = img.resize(scale, kernel="linear")
    # back up to the exact size with a smooth kernel: no ringing, little high-frequency content
    return _resize_exact(small, w, h, kernel="linear").copy_memory()


def output_kind(fmt: SocialFormat, requested: str) -> str:
    return requested if fmt.accepts(requested) else "jpeg"


def render_one(
    src: pyvips.Image,
    fmt: SocialFormat,
    mode: str,
    focal: FocalPoint,
    overlay: bool,
    kind: str,
    background: Sequence[float],
    keep_icc: bool,
) -> SocialOutput:
    w, h = fmt.width, fmt.height
    used: Box | None = None
    if mode == "fit":
        place = fit_box(src.width, src.height, w, h)
        scaled = _resize_exact(src, place.width, place.height)
        bg = _ink(src, list(background)[:3])
        out = scaled.embed(place.left, place.top, w, h, extend="background", background=bg)
    else:
        face_box = focal.box if focal.source == "face" else None
        faces = focal.faces if focal.source == "face" else ()
        left, top, sw, sh = fmt.safe_zone.rect(w, h)
        anchor = ((left + sw / 2) / w, (top + sh / 2) / h)  # put the subject in the safe zone
        used = crop_box(
            src.width, src.height, w, h, focal.point, mode, face_box=face_box, anchor=anchor, face_boxes=faces
        )
        out = _resize_exact(src.crop(used.left, used.top, used.width, used.height), w, h)
    if overlay:
        if out.bands in (1, 2):
            out = out.colourspace("srgb")
        out = draw_safe_zone(out, fmt)
    data, quality, detail = _encode_within(out, kind, fmt.max_bytes, keep_icc)
    return SocialOutput(
        format=fmt,
        data=data,
        content_type=IMAGE_TYPES[kind],
        width=w,
        height=h,
        quality=quality,
        focal=focal,
        crop=used,
        detail_scale=detail,
    )
