"""Personas: brand colours are hex codes, and they reach the prompt the renderer and providers read."""

import pytest
from pydantic import ValidationError

from studio_gateway.domain.personas import PersonaBody, apply_persona


def test_brand_colours_are_normalised_hex_codes():
    body = PersonaBody(name="Roastery", brand_colors=[" #6F4E37", "#fc0", "#6f4e37"])
    assert body.brand_colors == ["#6f4e37", "#ffcc00"]


@pytest.mark.parametrize("colour", ["notacolour", "cream", "#12345", "#ggg", "6f4e37", "#6f4e37ff"])
def test_anything_but_a_hex_colour_is_refused_naming_the_field(colour):
    with pytest.raises(ValidationError) as refused:
        PersonaBody(name="Roastery", brand_colors=["#000000", colour])
    [error] = refused.value.errors()
    assert error["loc"][0] == "brand_colors" and "#RRGGBB" in error["msg"]


def test_brand_colours_join_the_prompt():
    persona = PersonaBody(name="R", brand_colors=["#6f4e37"], subject_keywords=["coffee"]).model_dump()
    prompt, negative = apply_persona("morning promotion", None, persona)
    assert prompt == "morning promotion, coffee, brand colour palette #6f4e37" and negative is None
