"""Style presets for Create Studio: named looks that add descriptive words to a prompt.

Each preset carries a prompt fragment (appended to the user's prompt), a negative fragment (things that
break the look) and, where Stability has a native `style_preset` value for the same look, that value, so
the Stability adapter can pass the native style instead of relying on prompt words alone. Every one of
Stability's 17 native values is reachable from at least one preset. The rows are data in `catalogue/`;
this module holds the model, its checks and the string handling: no I/O.
"""

import re
from dataclasses import dataclass

from studio_gateway.domain.catalogue.styles_looks import LOOK_STYLE_ROWS
from studio_gateway.domain.catalogue.styles_native import NATIVE_STYLE_ROWS
from studio_gateway.domain.catalogue.styles_photo import PHOTO_STYLE_ROWS

# Stability's native `style_preset` values, as its image API accepts them.
STABILITY_STYLES: tuple[str, ...] = (
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
)

STYLE_CATEGORIES: tuple[str, ...] = ("photo", "illustration", "art", "design", "3d", "retro", "digital")


@dataclass(frozen=True, slots=True)
class StylePreset:
    id: str
    name: str
    category: str
    prompt_fragment: str
    negative_fragment: str
    stability_style: str | None = None

    def __post_init__(self) -> None:
        if self.category not in STYLE_CATEGORIES:
            raise ValueError(f"style preset {self.id!r}: unknown category {self.category!r}")
        if self.stability_style is not None and self.stability_style not in STABILITY_STYLES:
            raise ValueError(f"style preset {self.id!r}: unknown Stability style {self.stability_style!r}")
        if not self.prompt_fragment.strip() or not self.negative_fragment.strip():
            raise ValueError(f"style preset {self.id!r}: prompt and negative fragments are required")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "prompt_fragment": self.prompt_fragment,
            "negative_fragment": self.negative_fragment,
            "stability_style": self.stability_style,
        }


STYLE_PRESETS: tuple[StylePreset, ...] = tuple(
    StylePreset(*row) for row in (*NATIVE_STYLE_ROWS, *LOOK_STYLE_ROWS, *PHOTO_STYLE_ROWS)
)

_PRESETS_BY_ID: dict[str, StylePreset] = {preset.id: preset for preset in STYLE_PRESETS}
if len(_PRESETS_BY_ID) != len(STYLE_PRESETS):  # a duplicate id would silently shadow a preset
    raise ValueError("style preset ids must be unique")


def get_style_preset(preset_id: str) -> StylePreset | None:
    return _PRESETS_BY_ID.get(preset_id.strip().lower()) if preset_id else None


def list_style_presets(category: str | None = None) -> list[StylePreset]:
    if category is None:
        return list(STYLE_PRESETS)
    wanted = category.strip().lower()
    return [preset for preset in STYLE_PRESETS if preset.category == wanted]


def _terms(text: str | None) -> list[str]:
    """Comma-separated prompt terms, trimmed, empties dropped."""
    return [term.strip() for term in (text or "").split(",") if term.strip()]


def _already_said(term: str, text: str) -> bool:
    """True when `term` already appears in `text` as whole words (case-insensitive)."""
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, term.lower().split())) + r"(?!\w)"
    return re.search(pattern, text.lower()) is not None


def _merge_terms(base: str | None, extra: str) -> str:
    """Append the terms of `extra` to `base`, skipping any term `base` (or an earlier term) already says."""
    merged = _terms(base)
    for term in _terms(extra):
        if not _already_said(term, ", ".join(merged)):
            merged.append(term)
    return ", ".join(merged)


def apply_style(prompt: str, negative_prompt: str | None, preset: StylePreset | None) -> tuple[str, str]:
    """Return (prompt, negative prompt) with the preset's fragments added.

    The prompt fragment goes after the user's words so the subject stays first (models weight early tokens
    more). Negative terms are merged so a term the user already excluded is not repeated. Applying the same
    preset twice changes nothing.
    """
    prompt = (prompt or "").strip()
    negative = ", ".join(_terms(negative_prompt))
    if preset is None:
        return prompt, negative
    if not prompt:
        styled = preset.prompt_fragment
    elif _already_said(preset.prompt_fragment, prompt):
        styled = prompt
    else:
        styled = f"{prompt}, {preset.prompt_fragment}"
    return styled, _merge_terms(negative, preset.negative_fragment)
