"""Reading a plain-words photo edit ("make it brighter and warmer") as global adjustments: brightness,
contrast, saturation, black and white, sepia, blur, sharpen, warmer and cooler. Pure and shared: the
gateway reads an instruction to refuse, before anything is reserved, one that an offer understanding only
adjustments (``instructions="adjustments"`` in the catalog) cannot do; the local provider reads it to
know what to apply.

Several adjustments may be given at once; they apply in the order written. Intensity words scale them
("slightly", "a bit" halve the amount; "much", "very", "a lot" nearly double it), "less" and "reduce"
reverse a direction ("less saturated") and "too" asks for the opposite ("it's too dark" brightens).
Anything else ("add a hat", "remove the person", "make the sky bluer") needs a generative model, so the
whole instruction is refused (`Incapable`) naming the part that could not be done.
"""

import re
from dataclasses import dataclass

from studio_common.catalog import Incapable
from studio_common.edit_words import DIRECTIONS, EFFECT_WORDS, FILLER, INTENSITIES, NOUNS

INTENSITY_RANGE = (0.2, 3.0)

CAPABILITIES = "brightness, contrast, saturation, black and white, sepia, blur, sharpness and warmth"


@dataclass(frozen=True, slots=True)
class Adjustment:
    effect: str  # brightness | contrast | saturation | grayscale | sepia | sharpness | warmth
    direction: int  # +1 or -1 (always +1 for grayscale and sepia)
    intensity: float  # 1.0 = a moderate, clearly visible change


def _clamp(intensity: float) -> float:
    low, high = INTENSITY_RANGE
    return min(max(float(intensity), low), high)


_PHRASE_TABLES = (EFFECT_WORDS, DIRECTIONS, INTENSITIES)
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
        if key in EFFECT_WORDS:
            return "effect", EFFECT_WORDS[key], length
        if key in INTENSITIES:
            return "intensity", INTENSITIES[key], length
        if key in DIRECTIONS:
            return "direction", DIRECTIONS[key], length
    return None


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
            if tokens[index] not in FILLER:
                unknown.append(tokens[index])
            index += 1
            continue
        kind, value, length = found
        if kind == "effect":
            effects.append(value)  # type: ignore[arg-type]
            nouns_only = nouns_only and tuple(tokens[index : index + length]) in NOUNS
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
    intensity = _clamp(intensity)
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
            scaled = _clamp(last.intensity * intensity)
            if last.effect in ("grayscale", "sepia"):
                scaled = min(scaled, 1.0)
            adjustments[-1] = Adjustment(last.effect, last.direction, scaled)
        adjustments.extend(found)
    if not_understood:
        raise Incapable(
            f"the local provider can only adjust {CAPABILITIES}; it cannot do "
            f"{', '.join(repr(part) for part in not_understood)}; use stability or gemini for this edit"
        )
    if not adjustments:
        raise Incapable(
            f"no adjustment the local provider can make was found in {instruction!r} (it can adjust "
            f"{CAPABILITIES}); use stability or gemini for this edit"
        )
    return adjustments
