"""Offline prompt-based general edit (``edit.general``): global photo adjustments from plain words.

The instruction is read as a list of adjustments the local provider can honestly
make: brightness, contrast, saturation, black and white, sepia, blur, sharpen,
warmer and cooler. Several may be given at once ("make it brighter and
warmer"); they apply in the order written. Intensity words scale them
("slightly", "a bit" halve the amount; "much", "very", "a lot" nearly double
it), "less" and "reduce" reverse a direction ("less saturated") and "too"
asks for the opposite ("it's too dark" brightens).

Anything else in the instruction ("add a hat", "remove the person", "make the
sky bluer") needs a generative model, so the whole edit is refused naming the
part that could not be done, instead of applying only the part understood.

An optional mask (white = change, black = keep, same size as the image)
limits the edit; pixels where the mask is black stay identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import FORMATS, content_type_of, encode, open_image
from studio_providers.local.cv import luma

BRIGHTNESS_GAMMA = 0.3  # gamma change per unit of intensity
CONTRAST_GAIN = 0.25
SATURATION_GAIN = 0.35
WARMTH_GAIN = 0.06  # red up and blue down by this share per unit of intensity
SHARPEN_AMOUNT = 0.6
BLUR_SIGMA_PER_SIDE = 1 / 300  # of the short side, per unit of intensity
INTENSITY_RANGE = (0.2, 3.0)

_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)

CAPABILITIES = "brightness, contrast, saturation, black and white, sepia, blur, sharpness and warmth"


@dataclass(frozen=True, slots=True)
class Adjustment:
    effect: str  # brightness | contrast | saturation | grayscale | sepia | sharpness | warmth
    direction: int  # +1 or -1 (always +1 for grayscale and sepia)
    intensity: float  # 1.0 = a moderate, clearly visible change


# ---------------------------------------------------------------------------
# Reading the instruction
# ---------------------------------------------------------------------------

# Effect words: (effect, direction, strong). Weak words ("colors", "light", "detail") only count
# when nothing else in the same clause names an effect, so "warmer colours" is just warmer.
_EFFECT_WORDS: dict[tuple[str, ...], tuple[str, int, bool]] = {}


def _effect(effect: str, direction: int, *phrases: str, strong: bool = True) -> None:
    for phrase in phrases:
        _EFFECT_WORDS[tuple(phrase.split())] = (effect, direction, strong)


_effect(
    "brightness",
    +1,
    "brighter",
    "brighten",
    "brightened",
    "bright",
    "brightness",
    "lighter",
    "lighten",
    "lightened",
    "exposure",
    "brighten up",
    "lighten up",
)
_effect("brightness", +1, "light", strong=False)
_effect("brightness", -1, "darker", "darken", "darkened", "dark", "dim", "dimmer", "dimmed", "darkness")
_effect("contrast", +1, "contrast", "contrasty", "contrastier", "punchy", "punchier")
_effect("contrast", -1, "flatter")
_effect(
    "saturation",
    +1,
    "saturated",
    "saturate",
    "saturation",
    "vivid",
    "vivider",
    "vibrant",
    "vibrance",
    "colorful",
    "colors pop",
    "color pop",
    "pop",
)
_effect("saturation", +1, "color", "colors", strong=False)
_effect(
    "saturation",
    -1,
    "desaturate",
    "desaturated",
    "muted",
    "mute",
    "washed out",
    "dull",
    "duller",
    "subdued",
    "faded",
)
_effect(
    "grayscale",
    +1,
    "blackandwhite",
    "bw",
    "grayscale",
    "gray scale",
    "gray",
    "monochrome",
    "monochromatic",
    "noir",
    "remove color",
    "remove the color",
    "no color",
    "without color",
)
_effect("sepia", +1, "sepia")
_effect(
    "sharpness",
    +1,
    "sharpen",
    "sharpened",
    "sharper",
    "sharp",
    "sharpness",
    "crisp",
    "crisper",
    "clearer",
    "clarity",
    "detailed",
)
_effect("sharpness", +1, "detail", "details", strong=False)
_effect(
    "sharpness",
    -1,
    "blur",
    "blurry",
    "blurred",
    "blurrier",
    "soften",
    "softer",
    "soft",
    "softened",
    "defocus",
    "defocused",
    "unfocused",
    "out of focus",
    "smoother",
    "smooth",
)
_effect("warmth", +1, "warm", "warmer", "warmth", "warm up", "warmed")
_effect("warmth", -1, "cool", "cooler", "cold", "colder", "cool down", "cooled")

_DIRECTIONS: dict[tuple[str, ...], int] = {
    (word,): +1
    for word in (
        "more",
        "increase",
        "increased",
        "raise",
        "boost",
        "higher",
        "add",
        "stronger",
        "enhance",
        "extra",
        "amplify",
        "intensify",
        "heighten",
    )
}
_DIRECTIONS.update(
    {
        (word,): -1
        for word in (
            "less",
            "decrease",
            "reduce",
            "lower",
            "lessen",
            "weaker",
            "diminish",
            "minimize",
            "minimise",
            "remove",
        )
    }
)
# "up"/"down" alone are filler ("warm it up", "cool it down"); these verbs give them a direction.
for _verb in ("turn", "dial", "crank", "bring", "pump", "ramp"):
    _DIRECTIONS[(_verb, "up")] = +1
    _DIRECTIONS[(_verb, "down")] = -1
_DIRECTIONS[("tone", "down")] = -1
_DIRECTIONS[("too",)] = -1  # "it's too dark" asks for the opposite

_INTENSITIES: dict[tuple[str, ...], float] = {
    tuple(phrase.split()): factor
    for factor, phrases in (
        (
            0.5,
            (
                "slightly",
                "a bit",
                "a little",
                "little",
                "bit",
                "a touch",
                "a tad",
                "tad",
                "subtly",
                "subtle",
                "gently",
                "mildly",
                "marginally",
                "a little bit",
                "just a bit",
                "not too much",
                "not too",
            ),
        ),
        (0.7, ("somewhat", "moderately")),
        (1.6, ("really", "quite")),
        (
            1.8,
            (
                "much",
                "very",
                "a lot",
                "lot",
                "lots",
                "way",
                "far",
                "significantly",
                "strongly",
                "considerably",
                "greatly",
                "heavily",
                "noticeably",
            ),
        ),
        (2.2, ("dramatically", "drastically", "hugely", "super", "extremely", "massively")),
    )
    for phrase in phrases
}

_FILLER = frozenset(
    [
        "make",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "the",
        "a",
        "an",
        "image",
        "photo",
        "photograph",
        "picture",
        "pic",
        "shot",
        "scene",
        "look",
        "looks",
        "looking",
        "appear",
        "seem",
        "feel",
        "please",
        "could",
        "can",
        "would",
        "will",
        "you",
        "me",
        "i",
        "i'd",
        "want",
        "like",
        "so",
        "is",
        "be",
        "should",
        "just",
        "overall",
        "whole",
        "entire",
        "all",
        "of",
        "with",
        "some",
        "to",
        "into",
        "turn",
        "convert",
        "apply",
        "give",
        "set",
        "get",
        "effect",
        "filter",
        "style",
        "tone",
        "tones",
        "toned",
        "version",
        "my",
        "our",
        "in",
        "as",
        "now",
        "s",
        "up",
        "down",
    ]
)

_PHRASE_TABLES = (_EFFECT_WORDS, _DIRECTIONS, _INTENSITIES)
_LONGEST = max(len(key) for table in _PHRASE_TABLES for key in table)
_SEPARATORS = re.compile(r"[,;.!?]|\b(?:and|then|also|plus|but|while|after that|afterwards)\b")


def _normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"colou?r", "color", text)
    text = re.sub(r"\bgrey", "gray", text)
    text = re.sub(r"\bblack\s*(?:and|&|-and-|n)\s*white\b|\bb\s*[&/]\s*w\b", " blackandwhite ", text)
    return text.replace("&", " and ")


def _match(tokens: list[str], start: int) -> tuple[str, object, int] | None:
    """Longest phrase starting at tokens[start]: (kind, value, length)."""
    for length in range(min(_LONGEST, len(tokens) - start), 0, -1):
        key = tuple(tokens[start : start + length])
        if key in _EFFECT_WORDS:
            return "effect", _EFFECT_WORDS[key], length
        if key in _INTENSITIES:
            return "intensity", _INTENSITIES[key], length
        if key in _DIRECTIONS:
            return "direction", _DIRECTIONS[key], length
    return None


# Nouns name a quantity without a direction; a clause of bare nouns takes the direction of the
# clause before it ("reduce the brightness and contrast").
_NOUNS = frozenset(
    (word,)
    for word in [
        "brightness",
        "exposure",
        "light",
        "darkness",
        "contrast",
        "saturation",
        "vibrance",
        "color",
        "colors",
        "warmth",
        "sharpness",
        "clarity",
        "detail",
        "details",
    ]
)


def _read_clause(clause: str, inherited: int | None) -> tuple[list[Adjustment], list[str], int | None, float]:
    """Adjustments in one clause, the words that were not understood, the clause's direction (or the
    inherited one when the clause names bare nouns only) and its intensity."""
    tokens = re.findall(r"[a-z0-9%']+", clause)
    effects: list[tuple[str, int, bool]] = []
    direction, intensity, unknown = 1, 1.0, []
    explicit, nouns_only = False, True
    index = 0
    while index < len(tokens):
        found = _match(tokens, index)
        if found is None:
            if tokens[index] not in _FILLER:
                unknown.append(tokens[index])
            index += 1
            continue
        kind, value, length = found
        if kind == "effect":
            effects.append(value)  # type: ignore[arg-type]
            nouns_only = nouns_only and tuple(tokens[index : index + length]) in _NOUNS
        elif kind == "intensity":
            intensity *= value  # type: ignore[operator]
        else:
            direction *= value  # type: ignore[operator]
            explicit = True
        index += length
    if not explicit and effects and nouns_only and inherited is not None:
        direction, explicit = inherited, True
    strong = [effect for effect in effects if effect[2]]
    chosen = strong or effects
    intensity = float(np.clip(intensity, *INTENSITY_RANGE))
    adjustments = []
    for effect, sign, _ in chosen:
        if effect in ("grayscale", "sepia"):
            if direction < 0:
                unknown.append(f"less {effect}")
                continue
            adjustments.append(Adjustment(effect, +1, min(intensity, 1.0)))
        else:
            adjustments.append(Adjustment(effect, sign * direction, intensity))
    return adjustments, unknown, direction if explicit else None, intensity


def parse_instruction(instruction: str) -> list[Adjustment]:
    """The adjustments an instruction asks for, in order; refuses anything it cannot honestly do."""
    if not isinstance(instruction, str) or not instruction.strip():
        raise ValueError("prompt must describe the edit, e.g. 'make it brighter and warmer'")
    adjustments: list[Adjustment] = []
    not_understood: list[str] = []
    direction: int | None = None
    for clause in _SEPARATORS.split(_normalise(instruction)):
        found, unknown, direction, intensity = _read_clause(clause, direction)
        if unknown:
            not_understood.append(" ".join(clause.split()))
        elif not found and intensity != 1.0 and adjustments:
            # "brighter, but not too much": a clause of intensity words only tunes the one before it.
            last = adjustments[-1]
            scaled = float(np.clip(last.intensity * intensity, *INTENSITY_RANGE))
            if last.effect in ("grayscale", "sepia"):
                scaled = min(scaled, 1.0)
            adjustments[-1] = Adjustment(last.effect, last.direction, scaled)
        adjustments.extend(found)
    if not_understood:
        raise UnsupportedOperation(
            f"the local provider can only adjust {CAPABILITIES}; it cannot do "
            f"{', '.join(repr(part) for part in not_understood)}; use stability or gemini for this edit"
        )
    if not adjustments:
        raise UnsupportedOperation(
            f"no adjustment the local provider can make was found in {instruction!r} (it can adjust "
            f"{CAPABILITIES}); use stability or gemini for this edit"
        )
    return adjustments


# ---------------------------------------------------------------------------
# Applying adjustments (float32 RGB in 0..1)
# ---------------------------------------------------------------------------


def _brightness(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gamma = 1.0 + BRIGHTNESS_GAMMA * adj.intensity
    return np.power(rgb, 1.0 / gamma if adj.direction > 0 else gamma)


def _contrast(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gain = 1.0 + CONTRAST_GAIN * adj.intensity
    gain = gain if adj.direction > 0 else 1.0 / gain
    pivot = float(luma(rgb).mean())
    return pivot + (rgb - pivot) * gain


def _saturation(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gain = 1.0 + SATURATION_GAIN * adj.intensity
    gain = gain if adj.direction > 0 else 1.0 / gain
    brightness = luma(rgb)[..., None]
    return brightness + (rgb - brightness) * gain


def _grayscale(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gray = np.repeat(luma(rgb)[..., None], 3, axis=2)
    return gray if adj.intensity >= 1.0 else rgb + (gray - rgb) * adj.intensity


def _sepia(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    toned = rgb @ _SEPIA.T
    return toned if adj.intensity >= 1.0 else rgb + (toned - rgb) * adj.intensity


def _sharpness(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    short = min(rgb.shape[:2])
    if adj.direction < 0:
        return cv2.GaussianBlur(rgb, (0, 0), max(0.8, short * BLUR_SIGMA_PER_SIDE) * adj.intensity)
    blurred = cv2.GaussianBlur(rgb, (0, 0), max(1.0, short / 500))
    return rgb + (rgb - blurred) * (SHARPEN_AMOUNT * adj.intensity)


def _warmth(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    shift = WARMTH_GAIN * adj.intensity * adj.direction
    gains = np.array([1.0 + shift, 1.0 + shift * 0.2, 1.0 - shift], dtype=np.float32)
    return rgb * gains


_APPLY = {
    "brightness": _brightness,
    "contrast": _contrast,
    "saturation": _saturation,
    "grayscale": _grayscale,
    "sepia": _sepia,
    "sharpness": _sharpness,
    "warmth": _warmth,
}


def apply_adjustments(rgb: np.ndarray, adjustments: list[Adjustment]) -> np.ndarray:
    """Apply adjustments in order to float32 RGB (0..1); the result is clipped after every step."""
    for adj in adjustments:
        rgb = np.clip(_APPLY[adj.effect](rgb, adj), 0.0, 1.0).astype(np.float32, copy=False)
    return rgb


# ---------------------------------------------------------------------------
# Operation
# ---------------------------------------------------------------------------


def general_edit(request: ProviderRequest) -> ProviderOutput:
    """``edit.general``: apply the adjustments named in ``request.prompt``."""
    if request.output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {', '.join(FORMATS)}; got {request.output_format!r}")
    adjustments = parse_instruction(request.prompt)
    image = open_image(request.inputs.get("image"), "image")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    pixels = np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    original = pixels[..., :3]
    edited = apply_adjustments(original.astype(np.float32) * np.float32(1 / 255), adjustments) * 255.0

    mask_data = request.inputs.get("mask")
    if mask_data:
        mask_image = open_image(mask_data, "mask")
        if mask_image.size != image.size:
            raise ValueError(
                f"mask must be the same size as the image ({image.width}x{image.height}), "
                f"got {mask_image.width}x{mask_image.height}"
            )
        mask = np.asarray(mask_image.convert("L"), dtype=np.float32)[..., None] * np.float32(1 / 255)
        edited = original + (edited - original) * mask
    result = np.clip(edited + 0.5, 0, 255).astype(np.uint8)
    if mask_data:
        result = np.where(mask > 0, result, original)
    if has_alpha:
        result = np.concatenate([result, pixels[..., 3:]], axis=2)
    output = Image.fromarray(result, "RGBA" if has_alpha else "RGB")
    return ProviderOutput(
        encode(output, request.output_format),
        content_type_of(request.output_format),
        image.width,
        image.height,
    )


GENERAL_EDIT_OPERATIONS = {"edit.general": general_edit}
