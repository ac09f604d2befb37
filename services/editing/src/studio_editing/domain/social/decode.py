"""Decoding a social source: only PNG, JPEG and WebP loaders, a pixel limit before decoding, JPEG
shrink-on-load when every output needs less than half the resolution, upright and 8-bit, once."""

from __future__ import annotations

from collections.abc import Sequence

import pyvips

from studio_common.social_formats import SocialFormat

from .crop import resize_scale
from .focal import analysis_scale
from .outputs import InvalidImageError

MAX_SOURCE_PIXELS = 120_000_000  # refuse decompression bombs before decoding
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
        raise InvalidImageError(f"not a supported image: {first_line(exc)}") from exc


def first_line(exc: Exception) -> str:
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


def decode(
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
        raise InvalidImageError(f"cannot decode image: {first_line(exc)}") from exc
    full_w = header.height if _orientation(header) in (5, 6, 7, 8) else header.width
    return out, full_w / out.width
