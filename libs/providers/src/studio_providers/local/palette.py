"""The local renderer's colours: a palette from the prompt's colour and mood words (the negative prompt
striking colour families out), and the seeded random streams the palette and the composition draw from.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections.abc import Set as AbstractSet

import numpy as np

from studio_providers.local.colour_names import COLOURS, HUE_FAMILIES, MODIFIER_WORDS, MOOD_WORDS, RGB

# ---------------------------------------------------------------------------
# Randomness
# ---------------------------------------------------------------------------


def spec_key(seed: int, prompt: str, negative_prompt: str) -> bytes:
    text = f"{seed}\x1f{prompt}\x1f{negative_prompt}".encode()
    return hashlib.blake2b(text, digest_size=16).digest()


def layer_stream(key: bytes, label: str) -> np.random.Generator:
    """An independent generator per composition layer.

    Separate streams keep, e.g., the shapes identical when ``steps`` changes the
    number of noise octaves drawn.
    """
    digest = hashlib.blake2b(key + label.encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


# ---------------------------------------------------------------------------
# Palette from the prompt
# ---------------------------------------------------------------------------

_MONO_PHRASES = ("black and white", "black & white", "b&w", "b/w")
_MONO_GREYS: list[RGB] = [(14, 14, 14), (70, 70, 70), (130, 130, 130), (190, 190, 190), (242, 242, 242)]
_WHITE: RGB = (255, 255, 255)
_NEON_BACKDROP: RGB = (12, 8, 28)
_LAST_RESORT: list[RGB] = [(24, 26, 32), (120, 124, 130), (232, 232, 228)]
MAX_PALETTE = 6


_KNOWN_WORDS = COLOURS.keys() | MOOD_WORDS.keys() | MODIFIER_WORDS.keys()


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
    return tuple(round(a + (b - a) * amount) for a, b in zip(rgb, other, strict=True))  # type: ignore[return-value]


def _in_hue_family(hue: float, family: str) -> bool:
    start, end = HUE_FAMILIES[family]
    return start <= hue < end if start < end else hue >= start or hue < end


def colour_family(rgb: RGB) -> str:
    """Name the family a colour belongs to: a hue family or black/white/grey."""
    hue, sat, val = _hsv(rgb)
    if val < 0.2:
        return "black"
    if sat < 0.18:
        return "white" if val > 0.85 else "grey"
    return next(f for f in HUE_FAMILIES if _in_hue_family(hue, f))


def negative_families(negative_prompt: str) -> set[str]:
    """Families struck out by the negative prompt (a negated word bans its family)."""
    words = _words(negative_prompt)
    banned = {colour_family(COLOURS[w]) for w in words if w in COLOURS}
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


# "#1a2b3c" or "#abc" in a prompt: a persona's brand colours, or a user's exact colour.
_HEX_COLOUR = re.compile(r"(?<![\w#])#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![\w])")


def hex_colours(prompt: str) -> list[RGB]:
    """The exact colours a prompt gives as hex codes, in order."""
    colours = []
    for code in _HEX_COLOUR.findall(prompt):
        full = "".join(c * 2 for c in code) if len(code) == 3 else code
        colours.append((int(full[0:2], 16), int(full[2:4], 16), int(full[4:6], 16)))
    return colours


def _prompt_colours(prompt: str, negative_prompt: str) -> tuple[list[RGB], list[str]]:
    """Colours given (hex codes) or named or evoked by the prompt, plus the modifiers it asks for."""
    words = _words(prompt)
    negated = set(_words(negative_prompt))
    exact = hex_colours(prompt)
    explicit = exact + [COLOURS[w] for w in words if w in COLOURS]
    # Exact colours (a brand's) are the palette: mood words would outnumber and wash them out.
    moods = [] if exact else [w for w in words if w in MOOD_WORDS and w not in negated]
    mood_colours = [c for m in dict.fromkeys(moods) for c in MOOD_WORDS[m]]
    modifiers = [MODIFIER_WORDS[w] for w in words if w in MODIFIER_WORDS and w not in negated]
    if any(phrase in prompt.lower() for phrase in _MONO_PHRASES):
        modifiers.append("mono")
    # Explicit colours lead so they dominate; moods fill in around them.
    return _dedupe(explicit + mood_colours)[:MAX_PALETTE], list(dict.fromkeys(modifiers))


def _fallback_rng(prompt: str, negative_prompt: str, seed: int) -> np.random.Generator:
    return layer_stream(spec_key(seed, prompt, negative_prompt), "palette")


def _apply_modifiers(colours: list[RGB], modifiers: list[str]) -> list[RGB]:
    if "mono" in modifiers:
        return _monochrome()
    for modifier in modifiers:
        colours = [_apply_modifier(c, modifier) for c in colours]
    if "neon" in modifiers and colours and all(_hsv(c)[2] >= 0.3 for c in colours):
        colours = [_NEON_BACKDROP, *colours]
    return colours


def palette_for(prompt: str, negative_prompt: str = "", *, seed: int = 0) -> list[tuple[int, int, int]]:
    """Palette for a prompt: hex codes, colour and mood words, modifiers, minus negated colours.

    Prompts without any palette words get a harmonious palette derived from
    ``seed`` and the prompt text, so each prompt still has its own colours.
    """
    colours, modifiers = _prompt_colours(prompt, negative_prompt)
    banned = negative_families(negative_prompt)

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
