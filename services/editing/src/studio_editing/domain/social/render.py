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
from dataclasses import replace

import pyvips

from studio_common.content_types import IMAGE_TYPES
from studio_common.social_formats import SocialFormat, normalise_file_type

from .crop import CROP_MODES, Box, CropMode
from .decode import decode, first_line
from .focal import CENTER, FocalPoint, analysis_scale, find_focal_point
from .format_render import output_kind, render_one
from .outputs import InvalidImageError, OutputFormat, SocialOutput, SocialRenderError


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
    kinds = [output_kind(f, kind) for f in formats]
    flatten = all(k == "jpeg" for k in kinds)

    src, to_full = decode(image_bytes, formats, mode, flatten)
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
        out = render_one(img, formats[i], mode, focal, safe_zone_overlay, kinds[i], background, keep_icc)
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
        raise InvalidImageError(f"cannot render image: {first_line(exc)}") from exc


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
