"""Render one source image into many social formats.

The source is decoded once (with JPEG shrink-on-load when every output needs less than half of its
resolution), its focal point is computed once on a small copy, and then every format is cropped,
resized, optionally marked with its safe zone and encoded, concurrently in a small thread pool
(libvips releases the GIL). Each output has exactly its format's pixel size and fits its
platform's file-size limit: quality is lowered step by step and, as a last resort, fine detail is
reduced (downscale then upscale back to the exact size) until it does.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

import pyvips

from studio_common.content_types import IMAGE_TYPES, extension_for
from studio_common.social_formats import SocialFormat, normalise_file_type

from .crop import CROP_MODES, Box, CropMode, crop_box, fit_box, resize_scale
from .focal import CENTER, FocalPoint, analysis_scale, find_focal_point

OutputFormat = Literal["jpeg", "png", "webp"]

MAX_SOURCE_PIXELS = 120_000_000  # refuse decompression bombs before decoding
DEFAULT_QUALITY = 90
QUALITY_STEPS = (85, 75, 65, 50)  # tried in order when an output is over its size limit
DETAIL_STEPS = (0.75, 0.5, 0.35, 0.25, 0.125, 0.0625)  # last resort, at the lowest quality step
FINAL_QUALITY_STEPS = (30, 15, 5)  # at the smallest detail step, before giving up
SAFE_ZONE_TINT = (220, 40, 40)
SAFE_ZONE_ALPHA = 0.4
RESIZE_KERNEL = "lanczos3"


class SocialRenderError(ValueError):
    """The request cannot be rendered (bad image, bad option or an unreachable size limit)."""


class InvalidImageError(SocialRenderError):
    """The bytes are not a decodable image, or the image is too large to process."""


class SizeLimitError(SocialRenderError):
    """No encoding of the exact output size fits under the limit (only for absurdly small limits)."""


@dataclass(frozen=True, slots=True)
class SocialOutput:
    format: SocialFormat
    data: bytes
    content_type: str
    width: int
    height: int
    quality: int | None  # encoder quality used; None for lossless PNG
    focal: FocalPoint
    crop: Box | None = None  # source region used (smart/center), in pixels of the upright source
    detail_scale: float = 1.0  # < 1 when detail had to be reduced to meet the size limit

    @property
    def extension(self) -> str:
        return extension_for(self.content_type)

    @property
    def filename(self) -> str:
        return f"{self.format.platform}/{self.format.name}.{self.extension}"


# --------------------------------------------------------------------------------------------
# Decoding


ALLOWED_LOADERS = ("VipsForeignLoadPng", "VipsForeignLoadSpng", "VipsForeignLoadJpeg", "VipsForeignLoadWebp")


def _allow_only_image_loaders() -> None:
    """Sources are user uploads: libvips may parse them as PNG, JPEG or WebP only, never with its other
    loaders (SVG, PDF, TIFF, ImageMagick, matrix files...) whatever the bytes look like."""
    pyvips.block_untrusted_set(True)
    pyvips.operation_block_set("VipsForeignLoad", True)
    for loader in ALLOWED_LOADERS:
        pyvips.operation_block_set(loader, False)


_allow_only_image_loaders()


def _load(image_bytes: bytes, shrink: int = 1) -> pyvips.Image:
    try:
        if shrink > 1:
            return pyvips.Image.new_from_buffer(image_bytes, "", access="sequential", shrink=shrink)
        return pyvips.Image.new_from_buffer(image_bytes, "", access="sequential")
    except pyvips.Error as exc:
        raise InvalidImageError(f"not a supported image: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _orientation(img: pyvips.Image) -> int:
    try:
        return int(img.get("orientation")) if "orientation" in img.get_fields() else 1
    except (pyvips.Error, TypeError, ValueError):
        return 1


def choose_shrink(header: pyvips.Image, formats: Sequence[SocialFormat], mode: str) -> int:
    """JPEG shrink-on-load factor (1, 2, 4 or 8) that still leaves every output at least 1:1."""
    if header.get("vips-loader") != "jpegload_buffer":
        return 1
    w, h = header.width, header.height
    if _orientation(header) in (5, 6, 7, 8):
        w, h = h, w
    worst = max(resize_scale(w, h, f.width, f.height, mode) for f in formats)
    if mode == "smart":  # the focal analysis needs its small copy as well
        worst = max(worst, analysis_scale(w, h))
    for factor in (8, 4, 2):
        if worst * factor <= 1.0:
            return factor
    return 1


def _normalise(img: pyvips.Image, flatten: bool) -> pyvips.Image:
    """8-bit sRGB or 8-bit grey, with alpha unless ``flatten`` (then on white).

    Returns ``img`` itself when nothing needs converting.
    """
    if img.interpretation == "cmyk":
        try:
            img = img.icc_transform("srgb", embedded=True, input_profile="cmyk")
        except pyvips.Error:
            img = img.colourspace("srgb")
    elif img.interpretation not in ("srgb", "b-w") or img.format != "uchar":
        grey = img.bands <= 2 and img.interpretation in ("b-w", "grey16", "multiband")
        try:
            img = img.colourspace("b-w" if grey else "srgb")
        except pyvips.Error:
            img = img.copy(interpretation="b-w" if grey else "srgb")
        if img.format != "uchar":
            img = img.cast("uchar")
    if flatten and img.hasalpha():
        img = img.flatten(background=[255] * (img.bands - 1))
    return img


def _decode(
    image_bytes: bytes, formats: Sequence[SocialFormat], mode: str, flatten: bool
) -> tuple[pyvips.Image, float]:
    """The decoded, upright, normalised source in memory, and the full-resolution width over its width."""
    if not image_bytes:
        raise InvalidImageError("empty image")
    header = _load(image_bytes)
    if header.width * header.height > MAX_SOURCE_PIXELS:
        raise InvalidImageError(
            f"image is {header.width}x{header.height}; the limit is {MAX_SOURCE_PIXELS:,} pixels"
        )
    shrink = choose_shrink(header, formats, mode)
    img = _load(image_bytes, shrink) if shrink > 1 else header
    try:
        decoded = img.copy_memory()  # the single full decode
        out = decoded.autorot() if _orientation(header) != 1 else decoded
        out = _normalise(out, flatten)
        if out is not decoded:
            # rotation and conversions are lazy: run them once rather than once per output
            out = out.copy_memory()
    except pyvips.Error as exc:
        raise InvalidImageError(f"cannot decode image: {_first_line(exc)}") from exc
    full_w = header.height if _orientation(header) in (5, 6, 7, 8) else header.width
    return out, full_w / out.width


# --------------------------------------------------------------------------------------------
# Per-format rendering


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


def _output_kind(fmt: SocialFormat, requested: str) -> str:
    return requested if fmt.accepts(requested) else "jpeg"


def _render_one(
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


# --------------------------------------------------------------------------------------------
# Public API


def _analysis_copy(src: pyvips.Image):
    scale = analysis_scale(src.width, src.height)
    small = src.resize(scale, kernel="linear") if scale < 1 else src
    if small.hasalpha():
        small = small.flatten(background=[255] * (small.bands - 1))
    return small.numpy()


def _check_focal(focal: Sequence[float]) -> tuple[float, float]:
    try:
        x, y = float(focal[0]), float(focal[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise SocialRenderError(f"focal point must be (x, y), got {focal!r}") from exc
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise SocialRenderError(f"focal point must be within 0..1, got ({x}, {y})")
    return x, y


def optimize(
    image_bytes: bytes,
    formats: Sequence[SocialFormat],
    mode: CropMode | str = "smart",
    focal_override: tuple[float, float] | None = None,
    safe_zone_overlay: bool = False,
    output_format: OutputFormat | str = "jpeg",
    *,
    background: Sequence[float] = (0, 0, 0),
    max_workers: int | None = None,
) -> list[SocialOutput]:
    """Render ``image_bytes`` into every format, in the order given.

    ``mode``: ``smart`` (crop around the focal point), ``center`` or ``fit`` (letterbox on
    ``background``). ``focal_override`` (normalised ``(x, y)``) replaces the detected focal point.
    ``output_format``: ``jpeg``, ``png`` or ``webp``; a platform that does not accept the requested
    type gets JPEG. Transparent sources are flattened onto white for JPEG.
    """
    if not formats:
        raise SocialRenderError("no formats requested")
    if mode not in CROP_MODES:
        raise SocialRenderError(f"unknown crop mode {mode!r}; expected one of {', '.join(CROP_MODES)}")
    kind = normalise_file_type(output_format)
    if kind not in IMAGE_TYPES:
        raise SocialRenderError(f"unsupported output format {output_format!r}; use jpeg, png or webp")
    override = _check_focal(focal_override) if focal_override is not None else None
    kinds = [_output_kind(f, kind) for f in formats]
    flatten = all(k == "jpeg" for k in kinds)

    src, to_full = _decode(image_bytes, formats, mode, flatten)
    keep_icc = "icc-profile-data" in src.get_fields() and src.interpretation == "srgb"

    if override is not None:
        focal = FocalPoint(override[0], override[1], "override", None)
    elif mode == "smart":
        focal = find_focal_point(_analysis_copy(src))
    else:
        focal = CENTER

    def job(i: int) -> SocialOutput:
        img = src
        if kinds[i] == "jpeg" and img.hasalpha():
            img = img.flatten(background=[255] * (img.bands - 1))
        out = _render_one(img, formats[i], mode, focal, safe_zone_overlay, kinds[i], background, keep_icc)
        if out.crop is not None and to_full != 1.0:
            c = out.crop
            full = Box(*(round(v * to_full) for v in (c.left, c.top, c.width, c.height)))
            out = replace(out, crop=full)
        return out

    workers = max_workers or min(len(formats), max(2, min(4, os.cpu_count() or 2)))
    try:
        if workers <= 1 or len(formats) == 1:
            return [job(i) for i in range(len(formats))]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="social") as pool:
            return list(pool.map(job, range(len(formats))))
    except pyvips.Error as exc:
        raise InvalidImageError(f"cannot render image: {_first_line(exc)}") from exc


def zip_outputs(outputs: Sequence[SocialOutput]) -> bytes:
    """Pack outputs as ``<platform>/<format>.<ext>`` entries of a ZIP (stored: images are compressed)."""
    buf = io.BytesIO()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for out in outputs:
            name = out.filename
            n = seen.get(name, 0)
            seen[name] = n + 1
            if n:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}-{n + 1}{dot}{ext}"
            zf.writestr(name, out.data)
    return buf.getvalue()
