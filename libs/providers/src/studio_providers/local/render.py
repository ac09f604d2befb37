"""Procedural image renderer behind the offline ``local`` provider.

No model weights ship with the product, so the local provider does not pretend
to be a diffusion model: it paints abstract graphic art that is honestly
procedural. The prompt picks the palette (colour words and mood words, with the
negative prompt striking colours out), the seed picks the composition (a smooth
gradient, a fractal value-noise field and a few soft shapes), and the
diffusion-style knobs map onto what a procedural painter can honour:
``steps`` adds noise octaves (detail) and ``guidance_scale`` adds contrast and
saturation.

The renderer backs a throughput benchmark (scripts/bench_render.py), so all
painting happens with numpy on a small grid (``painting.py``, at most
``GRID_MAX_SIDE`` pixels on the long side) and Pillow upsamples the result to
the exact requested size; ``hues.py`` keeps negated hues out and
``encoding.py`` writes the bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio_providers.local.encoding import FORMATS, encode, unknown_format_message
from studio_providers.local.hues import keep_out_hues
from studio_providers.local.painting import grid_size, make_grid, octaves_for, paint
from studio_providers.local.palette import negative_families, palette_for, spec_key

MIN_SIDE = 16
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 4096
DEFAULT_GUIDANCE = 7.0


@dataclass(frozen=True, slots=True)
class RenderSpec:
    prompt: str
    width: int
    height: int
    seed: int
    negative_prompt: str = ""
    guidance_scale: float | None = None  # 0-20 typical; higher -> more contrast/saturation
    steps: int | None = None  # 1-150 typical; more steps -> more detail octaves (capped for speed)
    output_format: str = "png"  # png | jpeg | webp
    quality: int = 90  # jpeg/webp quality


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_size(width: object, height: object) -> None:
    for name, value in (("width", width), ("height", height)):
        if not _is_int(value):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ValueError(f"{name} must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {value}")
    if width * height > MAX_PIXELS:
        raise ValueError(f"image of {width}x{height} exceeds the limit of {MAX_PIXELS} pixels")


def _validate_tuning(spec: RenderSpec) -> None:
    guidance = spec.guidance_scale
    if guidance is not None:
        if not isinstance(guidance, (int, float)) or isinstance(guidance, bool):
            raise ValueError(f"guidance_scale must be a number, got {guidance!r}")
        if not math.isfinite(guidance) or guidance < 0:
            raise ValueError(f"guidance_scale must be a finite number >= 0, got {guidance!r}")
    if spec.steps is not None and (not _is_int(spec.steps) or spec.steps < 1):
        raise ValueError(f"steps must be a positive integer, got {spec.steps!r}")
    if not _is_int(spec.quality) or not 1 <= spec.quality <= 100:
        raise ValueError(f"quality must be an integer between 1 and 100, got {spec.quality!r}")


def validate_spec(spec: RenderSpec) -> str:
    """Raise ``ValueError`` for an unusable spec; return the Pillow format name."""
    if not isinstance(spec.prompt, str) or not spec.prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    if not isinstance(spec.negative_prompt, str):
        raise ValueError("negative_prompt must be a string")
    if not _is_int(spec.seed):
        raise ValueError(f"seed must be an integer, got {spec.seed!r}")
    _validate_size(spec.width, spec.height)
    _validate_tuning(spec)
    fmt = spec.output_format.lower() if isinstance(spec.output_format, str) else None
    if fmt not in FORMATS:
        raise ValueError(unknown_format_message(spec.output_format))
    return FORMATS[fmt]


# ---------------------------------------------------------------------------
# Painting on the working grid (float32 RGB in 0..1)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def render_image(spec: RenderSpec) -> Image.Image:
    """Render ``spec`` to an RGB image of exactly ``spec.width`` x ``spec.height``."""
    validate_spec(spec)
    palette = np.array(
        palette_for(spec.prompt, spec.negative_prompt, seed=spec.seed), dtype=np.float32
    ) / np.float32(255.0)
    grid = make_grid(*grid_size(spec.width, spec.height))
    guidance = DEFAULT_GUIDANCE if spec.guidance_scale is None else float(spec.guidance_scale)
    key = spec_key(spec.seed, spec.prompt, spec.negative_prompt)
    pixels = paint(key, palette, grid, octaves_for(spec.steps, grid), guidance)
    pixels = keep_out_hues(pixels, negative_families(spec.negative_prompt))
    small = Image.fromarray(pixels)
    if small.size == (spec.width, spec.height):
        return small
    return small.resize((spec.width, spec.height), Image.Resampling.BICUBIC)


def render(spec: RenderSpec) -> bytes:
    """Render ``spec`` and encode it in ``spec.output_format``."""
    return encode(render_image(spec), spec.output_format, spec.quality)
