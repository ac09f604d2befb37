"""Painting the local renderer's abstract art on a small working grid (float32 RGB in 0..1).

A seeded, slightly warped gradient, fractal value-noise texture seen through a soft mask, a few soft
shapes, then tone: guidance drives saturation and contrast, and every image keeps a floor of visible
structure. All of it is numpy on a grid of at most GRID_MAX_SIDE pixels; the renderer upsamples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio_providers.local.cv import luma
from studio_providers.local.palette import layer_stream

# Bounds for the long side of the working grid (see grid_size); Pillow's
# bicubic resize takes it to the requested size. Outputs no larger than
# GRID_MIN_SIDE are painted directly.
GRID_MAX_SIDE = 256
GRID_MIN_SIDE = 64
DEFAULT_STEPS = 30
MAX_OCTAVES = 7
RAMP_LEVELS = 1024
# Luminance standard deviation (0-1 scale) every image is lifted to at least,
# so even an all-pastel palette yields visible structure.
MIN_LUMA_STD = 0.11

Field = np.ndarray  # float32 array on the working grid


@dataclass(frozen=True, slots=True)
class Grid:
    width: int
    height: int
    x: np.ndarray  # shape (1, width), centred, short side spans -0.5..0.5
    y: np.ndarray  # shape (height, 1)


def grid_size(width: int, height: int) -> tuple[int, int]:
    """Working-grid size: the output itself when tiny, else about a third of it.

    Capping the long side at GRID_MAX_SIDE bounds the numpy work, so large
    outputs cost little more than Pillow's resize and the encoder.
    """
    long_side = max(width, height)
    if long_side <= GRID_MIN_SIDE:
        return width, height
    target = min(GRID_MAX_SIDE, max(GRID_MIN_SIDE, long_side // 3))
    scale = target / long_side
    return max(4, round(width * scale)), max(4, round(height * scale))


def make_grid(width: int, height: int) -> Grid:
    short = float(min(width, height))
    x = ((np.arange(width, dtype=np.float32) + 0.5 - width / 2) / short)[None, :]
    y = ((np.arange(height, dtype=np.float32) + 0.5 - height / 2) / short)[:, None]
    return Grid(width, height, x, y)


def _smoothstep(edge0: float, edge1: float, t: np.ndarray) -> np.ndarray:
    u = np.clip((t - edge0) / (edge1 - edge0), 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _normalise(field: np.ndarray) -> np.ndarray:
    lo, hi = float(field.min()), float(field.max())
    return (field - lo) / (hi - lo) if hi > lo else np.zeros_like(field)


def _ramp(colours: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Map a 0..1 field through a piecewise-linear colour ramp.

    A lookup table turns the per-pixel interpolation into a single gather;
    RAMP_LEVELS is far finer than the 8-bit output, so no banding shows.
    """
    stops = np.linspace(0.0, 1.0, len(colours))
    levels = np.linspace(0.0, 1.0, RAMP_LEVELS)
    lut = np.stack([np.interp(levels, stops, colours[:, c]) for c in range(3)], axis=1).astype(np.float32)
    index = (np.clip(t, 0.0, 1.0) * (RAMP_LEVELS - 1) + 0.5).astype(np.intp)
    return lut[index]


def octaves_for(steps: int | None, grid: Grid, base_cells: int = 3) -> int:
    """More sampling steps buy finer detail, up to what the grid can show."""
    steps = DEFAULT_STEPS if steps is None else steps
    wanted = max(2, min(MAX_OCTAVES, 1 + int(math.log2(steps))))
    short = min(grid.width, grid.height)
    resolvable = max(1, int(math.log2(max(short / 2.5, 1) / base_cells)) + 1)
    return min(wanted, resolvable)


def _value_noise(rng: np.random.Generator, grid: Grid, cells: int) -> np.ndarray:
    """One octave: a random lattice smoothly upsampled by Pillow (bicubic)."""
    aspect = grid.width / grid.height
    cols = max(2, round(cells * aspect)) if aspect >= 1 else cells
    rows = cells if aspect >= 1 else max(2, round(cells / aspect))
    lattice = rng.random((rows + 1, cols + 1), dtype=np.float32)
    layer = Image.fromarray(lattice).resize((grid.width, grid.height), Image.Resampling.BICUBIC)
    return np.asarray(layer)


def fractal_noise(
    rng: np.random.Generator, grid: Grid, octaves: int, base_cells: int = 3, persistence: float = 0.55
) -> np.ndarray:
    """Sum of value-noise octaves, normalised to 0..1."""
    total = np.zeros((grid.height, grid.width), dtype=np.float32)
    amplitude = 1.0
    for octave in range(octaves):
        total += amplitude * _value_noise(rng, grid, base_cells * 2**octave)
        amplitude *= persistence
    return _normalise(total)


def _by_luminance(colours: np.ndarray) -> np.ndarray:
    return colours[np.argsort(luma(colours))]


def _paint_background(
    rng: np.random.Generator, grid: Grid, palette: np.ndarray, wx: np.ndarray, wy: np.ndarray
) -> np.ndarray:
    """A smooth, slightly warped linear gradient between two or three colours."""
    angle = rng.uniform(0, 2 * math.pi)
    count = min(len(palette), int(rng.integers(2, 4)))
    stops = _by_luminance(palette[rng.choice(len(palette), count, replace=False)])
    if rng.random() < 0.5:
        stops = stops[::-1]
    t = _normalise((grid.x + wx) * math.cos(angle) + (grid.y + wy) * math.sin(angle))
    return _ramp(stops, _smoothstep(0.0, 1.0, t))


def _paint_texture(
    rng: np.random.Generator, grid: Grid, palette: np.ndarray, canvas: np.ndarray, octaves: int
) -> np.ndarray:
    """Fractal noise mapped through the palette, shown through a soft noise mask."""
    noise = fractal_noise(rng, grid, octaves)
    texture = _ramp(palette[rng.permutation(len(palette))], _smoothstep(0.1, 0.9, noise))
    mask = _smoothstep(0.3, 0.7, fractal_noise(rng, grid, 2, base_cells=2)) * rng.uniform(0.45, 0.85)
    canvas += (texture - canvas) * mask[..., None]
    if rng.random() < 0.5:
        # Marbled contour lines that follow the noise give the texture a graphic feel.
        angle = rng.uniform(0, math.pi)
        phase = (grid.x * math.cos(angle) + grid.y * math.sin(angle)) * rng.uniform(6, 14) + noise * 9.0
        lines = _smoothstep(0.82, 1.0, 0.5 + 0.5 * np.sin(phase)) * rng.uniform(0.2, 0.45)
        ink = _by_luminance(palette)[-1 if rng.random() < 0.6 else 0]
        canvas += (ink - canvas) * lines[..., None]
    return canvas


def _blend(canvas: np.ndarray, colour: np.ndarray, coverage: np.ndarray) -> None:
    canvas += (colour - canvas) * coverage[..., None]


def _disc(canvas: Field, rng: np.random.Generator, x: Field, y: Field, colour: Field) -> None:
    cx, cy, radius = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5), rng.uniform(0.08, 0.35)
    soft = rng.uniform(0.004, 0.05)
    if rng.random() < 0.5:
        # A soft offset shadow lifts the disc off the background.
        shadow = np.sqrt((x - cx - 0.03) ** 2 + (y - cy - 0.04) ** 2)
        _blend(canvas, np.zeros(3, np.float32), (1 - _smoothstep(radius * 0.8, radius * 1.35, shadow)) * 0.3)
    dist = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    # Lighter towards the centre so discs read as lit spheres rather than stickers.
    shade = (1.15 - 0.3 * np.clip(dist / radius, 0, 1))[..., None]
    coverage = (1 - _smoothstep(radius - soft, radius + soft, dist)) * rng.uniform(0.55, 0.95)
    canvas += (np.clip(colour * shade, 0, 1) - canvas) * coverage[..., None]


def _ring(canvas: Field, rng: np.random.Generator, x: Field, y: Field, colour: Field) -> None:
    cx, cy, radius = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5), rng.uniform(0.12, 0.45)
    width, soft = rng.uniform(0.008, 0.04), rng.uniform(0.003, 0.015)
    dist = np.abs(np.sqrt((x - cx) ** 2 + (y - cy) ** 2) - radius)
    _blend(canvas, colour, (1 - _smoothstep(width - soft, width + soft, dist)) * rng.uniform(0.5, 0.9))


def _band(canvas: Field, rng: np.random.Generator, x: Field, y: Field, colour: Field) -> None:
    angle = rng.uniform(0, math.pi)
    across = (x * math.cos(angle) + y * math.sin(angle)) - rng.uniform(-0.4, 0.4)
    along = -x * math.sin(angle) + y * math.cos(angle)
    across = across + rng.uniform(0.0, 0.08) * np.sin(along * rng.uniform(3, 9) + rng.uniform(0, 6.3))
    width, soft = rng.uniform(0.03, 0.16), rng.uniform(0.01, 0.08)
    coverage = 1 - _smoothstep(width - soft, width + soft, np.abs(across))
    _blend(canvas, colour, coverage * rng.uniform(0.35, 0.8))


def _blob(canvas: Field, rng: np.random.Generator, x: Field, y: Field, colour: Field) -> None:
    # Drawn in warped coordinates, a circle becomes an organic blob.
    _disc(canvas, rng, x, y, colour)


_SHAPES = (_disc, _ring, _band, _blob)
_SHAPE_WEIGHTS = np.array([0.3, 0.15, 0.25, 0.3])


def _paint_shapes(
    rng: np.random.Generator, grid: Grid, palette: Field, canvas: Field, wx: Field, wy: Field
) -> None:
    """Three to six soft shapes: lit discs, thin rings, wavy bands and blobs."""
    warped_x, warped_y = grid.x + wx, grid.y + wy
    for _ in range(int(rng.integers(3, 7))):
        shape = _SHAPES[int(rng.choice(len(_SHAPES), p=_SHAPE_WEIGHTS))]
        colour = palette[int(rng.integers(len(palette)))]
        if shape is _blob:
            shape(canvas, rng, warped_x, warped_y, colour)
        else:
            shape(canvas, rng, grid.x, grid.y, colour)


def _apply_tone(rng: np.random.Generator, grid: Grid, canvas: np.ndarray, guidance: float) -> np.ndarray:
    """Guidance-driven saturation and contrast, a vignette, and a structure floor."""
    g = min(guidance, 30.0)
    brightness = luma(canvas)[..., None]
    canvas = brightness + (canvas - brightness) * min(2.0, 0.75 + 0.05 * g)
    mean = float(brightness.mean())
    canvas = mean + (canvas - mean) * min(2.2, 0.7 + 0.06 * g)
    radius2 = (grid.x**2 + grid.y**2) / float(grid.x[0, 0] ** 2 + grid.y[0, 0] ** 2)
    canvas *= (1.0 - rng.uniform(0.12, 0.3) * radius2)[..., None]
    brightness = luma(canvas)
    spread = float(brightness.std())
    if spread < MIN_LUMA_STD:
        mean = float(brightness.mean())
        canvas = mean + (canvas - mean) * (MIN_LUMA_STD / max(spread, 1e-3))
    return canvas


def paint(key: bytes, palette: np.ndarray, grid: Grid, octaves: int, guidance: float) -> np.ndarray:
    """Compose the artwork on the grid; returns uint8 RGB of the grid's size."""
    warp_rng = layer_stream(key, "warp")
    strength = warp_rng.uniform(0.15, 0.45)
    wx = (fractal_noise(warp_rng, grid, 2, base_cells=2) - 0.5) * strength
    wy = (fractal_noise(warp_rng, grid, 2, base_cells=2) - 0.5) * strength
    canvas = _paint_background(layer_stream(key, "background"), grid, palette, wx, wy)
    canvas = _paint_texture(layer_stream(key, "texture"), grid, palette, canvas, octaves)
    _paint_shapes(layer_stream(key, "shapes"), grid, palette, canvas, wx, wy)
    canvas = _apply_tone(layer_stream(key, "tone"), grid, canvas, guidance)
    return (np.clip(canvas, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
