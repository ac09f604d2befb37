"""Personas: a saved brand profile that Create applies to every prompt it is given with."""

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from studio_gateway.domain.style_presets import get_style_preset

HEX_COLOUR = re.compile(r"#(?:[0-9a-f]{3}){1,2}")


def brand_colour(value: str) -> str:
    """A colour as #rrggbb (lower case); "#RGB" is widened. ValueError for anything else."""
    code = value.strip().lower()
    if not HEX_COLOUR.fullmatch(code):
        raise ValueError(f"{value!r} is not a colour: give #RRGGBB or #RGB")
    return code if len(code) == 7 else "#" + "".join(c * 2 for c in code[1:])


class PersonaBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2_000)
    brand_colors: list[str] = Field(
        default_factory=list, max_length=8, description='hex colours, "#1a2b3c" or "#abc"'
    )
    style_preset: str | None = Field(None, max_length=100)
    subject_keywords: list[str] = Field(default_factory=list, max_length=20)
    avoid_words: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("style_preset")
    @classmethod
    def _known_preset(cls, value: str | None) -> str | None:
        if value is not None and get_style_preset(value) is None:
            raise ValueError(f"unknown style_preset {value!r}")
        return value

    @field_validator("brand_colors")
    @classmethod
    def _hex_colours(cls, values: list[str]) -> list[str]:
        """Hex codes the renderer and the providers read exactly (a name like "notacolour" steers nothing)."""
        return list(dict.fromkeys(brand_colour(v) for v in values if v and v.strip()))

    @field_validator("subject_keywords", "avoid_words")
    @classmethod
    def _clean_words(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values if v and v.strip()]
        if any(len(v) > 60 for v in cleaned):
            raise ValueError("each entry must be at most 60 characters")
        return list(dict.fromkeys(cleaned))


class PersonaPatch(PersonaBody):
    name: str | None = Field(None, min_length=1, max_length=100)


def apply_persona(prompt: str, negative: str | None, persona: dict) -> tuple[str, str | None]:
    """Brand subject words and colours join the prompt; words to avoid join the negative prompt."""
    extras = []
    keywords = [k for k in persona["subject_keywords"] if k.lower() not in prompt.lower()]
    if keywords:
        extras.append(", ".join(keywords))
    if persona["brand_colors"]:
        extras.append("brand colour palette " + ", ".join(persona["brand_colors"]))
    text = ", ".join([prompt, *extras])
    avoid = [w for w in persona["avoid_words"] if w.lower() not in (negative or "").lower()]
    negative_text = ", ".join(filter(None, [negative, *avoid])) or None
    return text, negative_text
