"""Procedural image renderer behind the offline ``local`` provider.

No model weights ship with the product, so the local provider does not pretend
to be a diffusion model: it paints abstract graphic art that is honestly
procedural. The prompt picks the palette (colour words and mood words, with the
negative prompt striking colours out), the seed picks the composition (a smooth
gradient, a fractal value-noise field and a few soft shapes), and the
diffusion-style knobs map onto what a procedural painter can honour:
``steps`` adds noise octaves (detail) and ``guidance_scale`` adds contrast and
saturation.

The renderer backs a throughput benchmark, so all painting happens with numpy
on a small grid (at most ``GRID_MAX_SIDE`` pixels on the long side) and Pillow
upsamples the result to the exact requested size.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import re
import struct
import zlib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from PIL import Image

MIN_SIDE = 16
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 4096

# Pillow format name for each accepted ``output_format`` spelling.
FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}

# PNG is written directly (see encode_png); level 1 is zlib's fastest real
# compression and the art is smooth enough that higher levels save little.
PNG_COMPRESS_LEVEL = 1
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_FILTER_UP = 2
# libwebp's default effort (4) triples encode time for a barely visible gain.
WEBP_METHOD = 2

# Bounds for the long side of the working grid (see grid_size); Pillow's
# bicubic resize takes it to the requested size. Outputs no larger than
# GRID_MIN_SIDE are painted directly.
GRID_MAX_SIDE = 256
GRID_MIN_SIDE = 64
DEFAULT_STEPS = 30
DEFAULT_GUIDANCE = 7.0
MAX_OCTAVES = 7
RAMP_LEVELS = 1024
# Luminance standard deviation (0-1 scale) every image is lifted to at least,
# so even an all-pastel palette yields visible structure.
MIN_LUMA_STD = 0.11

RGB = tuple[int, int, int]
Field = np.ndarray  # float32 array on the working grid
_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


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
        raise ValueError(_unknown_format_message(spec.output_format))
    return FORMATS[fmt]


def _unknown_format_message(output_format: object) -> str:
    return f"unknown output_format {output_format!r}; expected one of {', '.join(sorted(FORMATS))}"


# ---------------------------------------------------------------------------
# Palette from the prompt
# ---------------------------------------------------------------------------

COLOUR_WORDS: dict[str, RGB] = {
    "red": (205, 32, 44),
    "crimson": (165, 20, 50),
    "scarlet": (230, 40, 30),
    "burgundy": (110, 20, 40),
    "orange": (245, 130, 30),
    "amber": (250, 170, 35),
    "coral": (250, 120, 90),
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

_SUNSET = [(250, 94, 58), (255, 154, 60), (250, 205, 95), (200, 60, 140), (70, 40, 100)]
_OCEAN = [(8, 40, 90), (15, 90, 150), (30, 150, 190), (120, 210, 225), (215, 240, 245)]
_FOREST = [(20, 50, 30), (40, 95, 50), (95, 140, 70), (170, 190, 120), (90, 65, 40)]
_NIGHT = [(8, 10, 30), (25, 30, 75), (60, 50, 120), (110, 120, 180), (240, 225, 170)]
_SPACE = [(5, 5, 15), (40, 20, 80), (120, 40, 150), (40, 90, 190), (235, 220, 250)]
_DESERT = [(240, 200, 140), (215, 150, 90), (180, 100, 60), (120, 70, 45), (250, 230, 190)]
_SNOW = [(245, 248, 252), (215, 230, 245), (170, 195, 225), (110, 140, 180), (60, 80, 120)]
_COFFEE = [(40, 25, 20), (90, 55, 35), (150, 100, 65), (205, 165, 120), (240, 225, 200)]
_CORPORATE = [(15, 35, 80), (30, 90, 170), (110, 130, 150), (225, 230, 235), (20, 160, 170)]
_TECH = [(10, 12, 25), (20, 60, 140), (30, 200, 230), (150, 60, 220), (230, 240, 250)]
_VINTAGE = [(215, 170, 70), (55, 125, 120), (190, 80, 60), (240, 225, 195), (100, 70, 50)]
_AUTUMN = [(200, 90, 30), (170, 60, 30), (230, 170, 60), (110, 60, 30), (140, 130, 60)]
_SPRING = [(180, 225, 160), (250, 190, 210), (250, 235, 150), (150, 200, 235), (100, 170, 100)]
_SUMMER = [(255, 210, 60), (40, 190, 200), (250, 120, 90), (255, 245, 220), (20, 120, 160)]
_FIRE = [(40, 5, 5), (170, 25, 15), (235, 90, 20), (250, 170, 40), (255, 235, 150)]
_CANDY = [(250, 160, 200), (160, 230, 210), (255, 225, 150), (200, 170, 240), (255, 245, 250)]
_EARTH = [(90, 65, 45), (150, 110, 70), (120, 125, 70), (210, 185, 140), (60, 50, 40)]
_TROPICAL = [(20, 140, 80), (40, 200, 190), (255, 210, 60), (250, 110, 90), (240, 250, 230)]
_LUXURY = [(10, 10, 12), (35, 32, 30), (200, 160, 80), (240, 215, 150), (245, 240, 230)]
_SKY = [(70, 130, 210), (120, 175, 235), (190, 220, 250), (250, 252, 255), (40, 80, 160)]

_MOOD_GROUPS: tuple[tuple[tuple[str, ...], list[RGB]], ...] = (
    (("sunset", "sunrise", "dusk"), _SUNSET),
    (("ocean", "sea", "marine", "underwater", "wave"), _OCEAN),
    (("forest", "jungle", "woods", "nature"), _FOREST),
    (("night", "midnight", "moon"), _NIGHT),
    (("space", "galaxy", "cosmic", "nebula"), _SPACE),
    (("desert", "dune", "sand"), _DESERT),
    (("snow", "winter", "ice", "frost", "arctic"), _SNOW),
    (("coffee", "espresso", "chocolate", "cafe"), _COFFEE),
    (("corporate", "business", "professional", "finance"), _CORPORATE),
    (("tech", "technology", "digital", "futuristic", "cyber", "cyberpunk"), _TECH),
    (("vintage", "retro"), _VINTAGE),
    (("autumn", "fall"), _AUTUMN),
    (("spring", "floral", "garden", "flower"), _SPRING),
    (("summer", "beach"), _SUMMER),
    (("fire", "flame", "lava"), _FIRE),
    (("candy", "sweet"), _CANDY),
    (("earth", "earthy", "organic", "rustic"), _EARTH),
    (("tropical",), _TROPICAL),
    (("luxury", "elegant", "premium"), _LUXURY),
    (("sky", "cloud"), _SKY),
)
MOOD_WORDS: dict[str, list[RGB]] = {word: colours for words, colours in _MOOD_GROUPS for word in words}

_MONO_PHRASES = ("black and white", "black & white", "b&w", "b/w")
MODIFIER_WORDS: dict[str, str] = {
    "pastel": "pastel",
    "neon": "neon",
    "fluorescent": "neon",
    "glowing": "neon",
    "monochrome": "mono",
    "monochromatic": "mono",
    "grayscale": "mono",
    "greyscale": "mono",
    "noir": "mono",
    "muted": "muted",
    "dusty": "muted",
    "faded": "muted",
    "desaturated": "muted",
    "vibrant": "vibrant",
    "vivid": "vibrant",
    "bold": "vibrant",
    "saturated": "vibrant",
    "dark": "dark",
    "deep": "dark",
    "moody": "dark",
    "light": "light",
    "pale": "light",
    "airy": "light",
    "bright": "light",
}

# Hue families (degrees, start inclusive, end exclusive; red wraps around 0).
_HUE_FAMILIES: dict[str, tuple[float, float]] = {
    "red": (340.0, 20.0),
    "orange": (20.0, 42.0),
    "yellow": (42.0, 70.0),
    "green": (70.0, 165.0),
    "teal": (165.0, 200.0),
    "blue": (200.0, 255.0),
    "purple": (255.0, 290.0),
    "pink": (290.0, 340.0),
}
_MONO_GREYS: list[RGB] = [(14, 14, 14), (70, 70, 70), (130, 130, 130), (190, 190, 190), (242, 242, 242)]
_WHITE: RGB = (255, 255, 255)
_NEON_BACKDROP: RGB = (12, 8, 28)
_LAST_RESORT: list[RGB] = [(24, 26, 32), (120, 124, 130), (232, 232, 228)]
MAX_PALETTE = 6


_KNOWN_WORDS = COLOUR_WORDS.keys() | MOOD_WORDS.keys() | MODIFIER_WORDS.keys()


def _words(text: str) -> list[str]:
    """Lower-case words, with a plural fallback ("sunsets" -> "sunset")."""
    out = []
    for word in re.findall(r"[a-z]+", text.lower()):
        if word not in _KNOWN_WORDS and word.endswith("s") and word[:-1] in _KNOWN_WORDS:
            word = word[:-1]
        out.append(word)
    return out


def _hsv(rgb: RGB) -> tuple[float, float, float]:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    return h * 360.0, s, v


def _from_hsv(hue: float, sat: float, val: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb((hue % 360.0) / 360.0, min(max(sat, 0.0), 1.0), min(max(val, 0.0), 1.0))
    return (round(r * 255), round(g * 255), round(b * 255))


def _mix(rgb: RGB, other: RGB, amount: float) -> RGB:
    return tuple(round(a + (b - a) * amount) for a, b in zip(rgb, other))  # type: ignore[return-value]


def _in_hue_family(hue: float, family: str) -> bool:
    start, end = _HUE_FAMILIES[family]
    return start <= hue < end if start < end else hue >= start or hue < end


def colour_family(rgb: RGB) -> str:
    """Name the family a colour belongs to: a hue family or black/white/grey."""
    hue, sat, val = _hsv(rgb)
    if val < 0.2:
        return "black"
    if sat < 0.18:
        return "white" if val > 0.85 else "grey"
    return next(f for f in _HUE_FAMILIES if _in_hue_family(hue, f))


def _negative_families(negative_prompt: str) -> set[str]:
    """Families struck out by the negative prompt (a negated word bans its family)."""
    words = _words(negative_prompt)
    banned = {colour_family(COLOUR_WORDS[w]) for w in words if w in COLOUR_WORDS}
    if any(phrase in negative_prompt.lower() for phrase in _MONO_PHRASES):
        banned |= {"black", "white"}
    if "dark" in words:
        banned.add("black")
    return banned


def _apply_modifier(rgb: RGB, modifier: str) -> RGB:
    hue, sat, val = _hsv(rgb)
    if modifier == "pastel":
        return _mix(_from_hsv(hue, min(sat, 0.75), max(val, 0.75)), _WHITE, 0.45)
    if modifier == "neon":
        # Neon glows against the dark: dark colours get darker, the rest go full-on.
        if val < 0.3:
            return _from_hsv(hue, sat, min(val, 0.12))
        return _from_hsv(hue, 1.0, 1.0) if sat > 0.15 else rgb
    if modifier == "muted":
        return _from_hsv(hue, sat * 0.55, val * 0.9 + 0.05)
    if modifier == "vibrant":
        return _from_hsv(hue, min(1.0, sat * 1.3 + 0.1), min(1.0, val * 1.1))
    if modifier == "dark":
        return _from_hsv(hue, sat, val * 0.7)
    if modifier == "light":
        return _mix(rgb, _WHITE, 0.3)
    return rgb


def _monochrome() -> list[RGB]:
    # Greys spread over the whole value range read as deliberate black-and-white
    # art; converting each colour to its own grey would often bunch them together.
    return list(_MONO_GREYS)


def _tonal_variants(colours: list[RGB]) -> list[RGB]:
    """Deep, mid and pale shades, used to fill out a short explicit palette."""
    out: list[RGB] = []
    for rgb in colours:
        hue, sat, val = _hsv(rgb)
        out += [_from_hsv(hue, sat, val * 0.45), _mix(rgb, _WHITE, 0.45), _mix(rgb, _WHITE, 0.8)]
    return out


def _allowed(rgb: RGB, banned: AbstractSet[str]) -> bool:
    return colour_family(rgb) not in banned


def _rotate_to_allowed(hue: float, sat: float, val: float, banned: AbstractSet[str]) -> RGB | None:
    for step in range(24):
        rgb = _from_hsv(hue + 15.0 * step, sat, val)
        if _allowed(rgb, banned):
            return rgb
    return None


def harmonious_palette(rng: np.random.Generator, banned: AbstractSet[str] = frozenset()) -> list[RGB]:
    """Five colours on a colour-wheel scheme: a dark anchor, three mids, a light."""
    base = float(rng.uniform(0, 360))
    scheme = [(0, 30, -30), (0, 180, 20), (0, 120, 240), (0, 150, 210)][int(rng.integers(4))]
    specs = [(base, rng.uniform(0.5, 0.8), rng.uniform(0.12, 0.25))]
    specs += [(base + off, rng.uniform(0.5, 0.9), rng.uniform(0.6, 0.95)) for off in scheme]
    specs.append((base + scheme[1], rng.uniform(0.08, 0.22), rng.uniform(0.92, 0.98)))
    colours = [_rotate_to_allowed(h, float(s), float(v), banned) for h, s, v in specs]
    return [c for c in colours if c is not None]


def _dedupe(colours: list[RGB]) -> list[RGB]:
    return list(dict.fromkeys(colours))


def _prompt_colours(prompt: str, negative_prompt: str) -> tuple[list[RGB], list[str]]:
    """Colours named or evoked by the prompt, plus the modifiers it asks for."""
    words = _words(prompt)
    negated = set(_words(negative_prompt))
    explicit = [COLOUR_WORDS[w] for w in words if w in COLOUR_WORDS]
    moods = [w for w in words if w in MOOD_WORDS and w not in negated]
    mood_colours = [c for m in dict.fromkeys(moods) for c in MOOD_WORDS[m]]
    modifiers = [MODIFIER_WORDS[w] for w in words if w in MODIFIER_WORDS and w not in negated]
    if any(phrase in prompt.lower() for phrase in _MONO_PHRASES):
        modifiers.append("mono")
    # Explicit colours lead so they dominate; moods fill in around them.
    return _dedupe(explicit + mood_colours)[:MAX_PALETTE], list(dict.fromkeys(modifiers))


def _fallback_rng(prompt: str, negative_prompt: str, seed: int) -> np.random.Generator:
    return _stream(_spec_key(seed, prompt, negative_prompt), "palette")


def _apply_modifiers(colours: list[RGB], modifiers: list[str]) -> list[RGB]:
    if "mono" in modifiers:
        return _monochrome()
    for modifier in modifiers:
        colours = [_apply_modifier(c, modifier) for c in colours]
    if "neon" in modifiers and colours and all(_hsv(c)[2] >= 0.3 for c in colours):
        colours = [_NEON_BACKDROP, *colours]
    return colours


def palette_for(prompt: str, negative_prompt: str = "", *, seed: int = 0) -> list[tuple[int, int, int]]:
    """Palette for a prompt: colour and mood words, modifiers, minus negated colours.

    Prompts without any palette words get a harmonious palette derived from
    ``seed`` and the prompt text, so each prompt still has its own colours.
    """
    colours, modifiers = _prompt_colours(prompt, negative_prompt)
    banned = _negative_families(negative_prompt)

    def usable(candidates: list[RGB]) -> list[RGB]:
        return [c for c in _dedupe(_apply_modifiers(candidates, modifiers)) if _allowed(c, banned)]

    palette = usable(colours)
    if palette and len(palette) < 3:
        # Shades of the named colours keep them dominant, unlike unrelated extras.
        palette = _dedupe(palette + [c for c in _tonal_variants(palette) if _allowed(c, banned)])
    if len(palette) < 3:
        extra = usable(harmonious_palette(_fallback_rng(prompt, negative_prompt, seed), banned))
        palette = _dedupe(palette + extra)[: max(5, len(palette))]
    return palette if len(palette) >= 2 else list(_LAST_RESORT)


# ---------------------------------------------------------------------------
# Randomness
# ---------------------------------------------------------------------------


def _spec_key(seed: int, prompt: str, negative_prompt: str) -> bytes:
    text = f"{seed}\x1f{prompt}\x1f{negative_prompt}".encode()
    return hashlib.blake2b(text, digest_size=16).digest()


def _stream(key: bytes, label: str) -> np.random.Generator:
    """An independent generator per composition layer.

    Separate streams keep, e.g., the shapes identical when ``steps`` changes the
    number of noise octaves drawn.
    """
    digest = hashlib.blake2b(key + label.encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


# ---------------------------------------------------------------------------
# Painting on the working grid (float32 RGB in 0..1)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Grid:
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


def _make_grid(width: int, height: int) -> _Grid:
    short = float(min(width, height))
    x = ((np.arange(width, dtype=np.float32) + 0.5 - width / 2) / short)[None, :]
    y = ((np.arange(height, dtype=np.float32) + 0.5 - height / 2) / short)[:, None]
    return _Grid(width, height, x, y)


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


def octaves_for(steps: int | None, grid: _Grid, base_cells: int = 3) -> int:
    """More sampling steps buy finer detail, up to what the grid can show."""
    steps = DEFAULT_STEPS if steps is None else steps
    wanted = max(2, min(MAX_OCTAVES, 1 + int(math.log2(steps))))
    short = min(grid.width, grid.height)
    resolvable = max(1, int(math.log2(max(short / 2.5, 1) / base_cells)) + 1)
    return min(wanted, resolvable)


def _value_noise(rng: np.random.Generator, grid: _Grid, cells: int) -> np.ndarray:
    """One octave: a random lattice smoothly upsampled by Pillow (bicubic)."""
    aspect = grid.width / grid.height
    cols = max(2, round(cells * aspect)) if aspect >= 1 else cells
    rows = cells if aspect >= 1 else max(2, round(cells / aspect))
    lattice = rng.random((rows + 1, cols + 1), dtype=np.float32)
    layer = Image.fromarray(lattice).resize((grid.width, grid.height), Image.Resampling.BICUBIC)
    return np.asarray(layer)


def fractal_noise(
    rng: np.random.Generator, grid: _Grid, octaves: int, base_cells: int = 3, persistence: float = 0.55
) -> np.ndarray:
    """Sum of value-noise octaves, normalised to 0..1."""
    total = np.zeros((grid.height, grid.width), dtype=np.float32)
    amplitude = 1.0
    for octave in range(octaves):
        total += amplitude * _value_noise(rng, grid, base_cells * 2**octave)
        amplitude *= persistence
    return _normalise(total)


def _by_luminance(colours: np.ndarray) -> np.ndarray:
    return colours[np.argsort(colours @ _LUMA)]


def _paint_background(
    rng: np.random.Generator, grid: _Grid, palette: np.ndarray, wx: np.ndarray, wy: np.ndarray
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
    rng: np.random.Generator, grid: _Grid, palette: np.ndarray, canvas: np.ndarray, octaves: int
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
    rng: np.random.Generator, grid: _Grid, palette: Field, canvas: Field, wx: Field, wy: Field
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


def _luma(canvas: np.ndarray) -> np.ndarray:
    return canvas @ _LUMA


def _apply_tone(rng: np.random.Generator, grid: _Grid, canvas: np.ndarray, guidance: float) -> np.ndarray:
    """Guidance-driven saturation and contrast, a vignette, and a structure floor."""
    g = min(guidance, 30.0)
    luma = _luma(canvas)[..., None]
    canvas = luma + (canvas - luma) * min(2.0, 0.75 + 0.05 * g)
    mean = float(luma.mean())
    canvas = mean + (canvas - mean) * min(2.2, 0.7 + 0.06 * g)
    radius2 = (grid.x**2 + grid.y**2) / float(grid.x[0, 0] ** 2 + grid.y[0, 0] ** 2)
    canvas *= (1.0 - rng.uniform(0.12, 0.3) * radius2)[..., None]
    luma = _luma(canvas)
    spread = float(luma.std())
    if spread < MIN_LUMA_STD:
        mean = float(luma.mean())
        canvas = mean + (canvas - mean) * (MIN_LUMA_STD / max(spread, 1e-3))
    return canvas


def paint(key: bytes, palette: np.ndarray, grid: _Grid, octaves: int, guidance: float) -> np.ndarray:
    """Compose the artwork on the grid; returns uint8 RGB of the grid's size."""
    warp_rng = _stream(key, "warp")
    strength = warp_rng.uniform(0.15, 0.45)
    wx = (fractal_noise(warp_rng, grid, 2, base_cells=2) - 0.5) * strength
    wy = (fractal_noise(warp_rng, grid, 2, base_cells=2) - 0.5) * strength
    canvas = _paint_background(_stream(key, "background"), grid, palette, wx, wy)
    canvas = _paint_texture(_stream(key, "texture"), grid, palette, canvas, octaves)
    _paint_shapes(_stream(key, "shapes"), grid, palette, canvas, wx, wy)
    canvas = _apply_tone(_stream(key, "tone"), grid, canvas, guidance)
    return (np.clip(canvas, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


# ---------------------------------------------------------------------------
# Keeping negated hues out of the pixels
# ---------------------------------------------------------------------------

# Pillow's HSV mode stores hue as 0..255 for 0..360 degrees.
_HUE_UNITS = 255
# How far past a banned family's edge shifted hues land, so resampling and
# lossy encoding cannot drift them back in (about 6 degrees).
_HUE_MARGIN = 4
_GREYISH_SATURATION = 40
_DEEP_HUE_DESATURATION = 0.8


def _banned_hue_mask(banned: AbstractSet[str]) -> np.ndarray:
    degrees = np.arange(_HUE_UNITS + 1) * (360.0 / _HUE_UNITS) % 360.0
    mask = np.zeros(_HUE_UNITS + 1, dtype=bool)
    for family in banned & _HUE_FAMILIES.keys():
        start, end = _HUE_FAMILIES[family]
        mask |= (degrees >= start) & (degrees < end) if start < end else (degrees >= start) | (degrees < end)
    return mask


def _hue_remap(banned_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables sending each banned hue to the nearest allowed one.

    Returns (hue table, saturation factor table). Hues deep inside a banned
    family are also desaturated: neighbours there may be sent to opposite
    edges (red -> pink and red -> orange), and the upsampler would otherwise
    paint the banned hue back in between them.
    """
    units = len(banned_mask)
    padded = banned_mask.copy()
    for shift in range(1, _HUE_MARGIN + 1):
        padded |= np.roll(banned_mask, shift) | np.roll(banned_mask, -shift)
    targets = np.flatnonzero(~padded) if (~padded).any() else np.flatnonzero(~banned_mask)
    hues = np.arange(units)
    gap = np.abs(hues[:, None] - targets[None, :])
    gap = np.minimum(gap, units - gap)
    nearest = targets[np.argmin(gap, axis=1)]
    depth = np.where(banned_mask, gap.min(axis=1), 0).astype(np.float32)
    saturation = 1.0 - _DEEP_HUE_DESATURATION * depth / max(float(depth.max()), 1.0)
    return np.where(banned_mask, nearest, hues).astype(np.uint8), saturation.astype(np.float32)


def keep_out_hues(pixels: np.ndarray, banned: AbstractSet[str]) -> np.ndarray:
    """Shift pixels whose hue belongs to a negated colour family out of it.

    Filtering the palette is not enough on its own: blending two allowed
    colours (orange and pink, say) can pass through a banned hue (red).
    """
    banned_mask = _banned_hue_mask(banned)
    if not banned_mask.any():
        return pixels
    hsv = np.array(Image.fromarray(pixels).convert("HSV"))
    if banned_mask.all():
        # Every hue is negated: fall back to near-greys.
        np.minimum(hsv[..., 1], _GREYISH_SATURATION, out=hsv[..., 1])
    else:
        hue_table, saturation_table = _hue_remap(banned_mask)
        hue = hsv[..., 0].copy()
        hsv[..., 0] = hue_table[hue]
        hsv[..., 1] = (hsv[..., 1] * saturation_table[hue] + 0.5).astype(np.uint8)
    return np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def render_image(spec: RenderSpec) -> Image.Image:
    """Render ``spec`` to an RGB image of exactly ``spec.width`` x ``spec.height``."""
    validate_spec(spec)
    palette = np.array(
        palette_for(spec.prompt, spec.negative_prompt, seed=spec.seed), dtype=np.float32
    ) / np.float32(255.0)
    grid = _make_grid(*grid_size(spec.width, spec.height))
    guidance = DEFAULT_GUIDANCE if spec.guidance_scale is None else float(spec.guidance_scale)
    key = _spec_key(spec.seed, spec.prompt, spec.negative_prompt)
    pixels = paint(key, palette, grid, octaves_for(spec.steps, grid), guidance)
    pixels = keep_out_hues(pixels, _negative_families(spec.negative_prompt))
    small = Image.fromarray(pixels)
    if small.size == (spec.width, spec.height):
        return small
    return small.resize((spec.width, spec.height), Image.Resampling.BICUBIC)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(image: Image.Image, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """Encode 8-bit RGB PNG with the "Up" filter on every row.

    Pillow's encoder tries all five PNG filters on every row, which costs more
    than rendering the image. One fixed filter computed by numpy suits smooth
    art just as well and makes encoding about a third faster.
    """
    pixels = np.asarray(image.convert("RGB"))
    height, width, _ = pixels.shape
    rows = pixels.reshape(height, width * 3)
    filtered = np.empty((height, width * 3 + 1), dtype=np.uint8)
    filtered[:, 0] = _PNG_FILTER_UP
    filtered[0, 1:] = rows[0]  # the row above the first one counts as zeros
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # uint8 wraps modulo 256, as PNG specifies
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(filtered, compress_level)),
            _png_chunk(b"IEND", b""),
        )
    )


def encode(image: Image.Image, output_format: str, quality: int = 90) -> bytes:
    """Encode an image as png, jpeg or webp."""
    fmt = FORMATS.get(output_format.lower())
    if fmt is None:
        raise ValueError(_unknown_format_message(output_format))
    if fmt == "PNG":
        return encode_png(image)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=quality)
    else:
        image.save(buffer, "WEBP", quality=quality, method=WEBP_METHOD)
    return buffer.getvalue()


def render(spec: RenderSpec) -> bytes:
    """Render ``spec`` and encode it in ``spec.output_format``."""
    return encode(render_image(spec), spec.output_format, spec.quality)


def _benchmark() -> None:
    import time

    for width, height in ((256, 256), (1024, 1024), (1080, 1920)):
        spec = RenderSpec("teal and orange abstract poster", width, height, seed=7)
        render(spec)  # warm-up
        timings = []
        for seed in range(10):
            start = time.perf_counter()
            render(RenderSpec(spec.prompt, width, height, seed=seed))
            timings.append(time.perf_counter() - start)
        timings.sort()
        print(f"{width}x{height}: median {timings[5] * 1e3:.1f} ms, best {timings[0] * 1e3:.1f} ms")


if __name__ == "__main__":
    _benchmark()
