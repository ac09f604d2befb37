"""Create requests resolve to concrete sizes, prompts and providers; impossible requests name the field."""

import pytest
from pydantic import ValidationError

from studio_gateway.domain.create_request import CreateBody, RequestError, resolve_create, size_for_aspect

ENABLED = ["local"]


def resolve(**body):
    return resolve_create(CreateBody(**body), ENABLED)


def test_template_fixes_exact_size_style_and_scaffold():
    resolved = resolve(prompt="summer sale", template_id="youtube-thumbnail")
    assert (resolved.params["width"], resolved.params["height"]) == (1280, 720)
    assert "summer sale" in resolved.params["prompt"] and resolved.params["prompt"] != "summer sale"
    assert resolved.params["style_preset"]
    assert (resolved.provider, resolved.model) == ("local", "local-render")  # template's provider not enabled


def test_template_provider_is_used_when_enabled():
    resolved = resolve_create(
        CreateBody(prompt="x", template_id="youtube-thumbnail"), ["local", "stability", "wavespeed", "gemini"]
    )
    assert resolved.provider != "local"


def test_aspect_ratio_gives_about_one_megapixel_in_multiples_of_8():
    width, height = size_for_aspect("16:9")
    assert width % 8 == 0 and height % 8 == 0
    assert abs(width / height - 16 / 9) < 0.02 and 0.9e6 < width * height < 1.1e6


def test_style_preset_fragments_reach_prompt_and_negative():
    resolved = resolve(prompt="a fox", style_preset="watercolor", negative_prompt="text")
    assert resolved.params["prompt"].startswith("a fox, ")
    assert "text" in resolved.params["negative_prompt"] and len(resolved.params["negative_prompt"]) > 4


def test_enhance_prompt_adds_quality_words_once():
    plain = resolve(prompt="a fox", quality="premium")
    enhanced = resolve(prompt="a fox", quality="premium", enhance_prompt=True)
    assert len(enhanced.params["prompt"]) > len(plain.params["prompt"])
    assert enhanced.params["prompt"].count("sharp focus") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "x", "template_id": "nope"}, "template_id"),
        ({"prompt": "x", "style_preset": "nope"}, "style_preset"),
        ({"prompt": "x", "provider": "stability"}, "provider"),
        ({"prompt": "x", "provider": "local", "model": "ultra"}, "model"),
        ({"prompt": "x", "model": "ultra"}, "model"),
        ({"prompt": "x", "template_id": "youtube-thumbnail", "width": 100, "height": 100}, "template_id"),
    ],
)
def test_unresolvable_requests_name_the_field(body, field):
    with pytest.raises(RequestError) as error:
        resolve(**body)
    assert error.value.field == field


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": ""},
        {"prompt": "  "},
        {"prompt": "x", "num_variations": 11},
        {"prompt": "x", "width": 5000, "height": 100},
        {"prompt": "x", "width": 100},
        {"prompt": "x", "width": 512, "height": 512, "aspect_ratio": "1:1"},
        {"prompt": "x", "seed": -1},
        {"prompt": "x", "unknown": True},
    ],
)
def test_invalid_bodies_are_rejected(body):
    with pytest.raises(ValidationError):
        CreateBody(**body)


def test_video_models_priced_per_resolution_follow_the_asked_resolution():
    from studio_gateway.domain.provider_choice import choose_provider

    enabled = ["wavespeed"]
    assert choose_provider("transform.video", "auto", None, {"resolution": "1080p"}, {"image"}, enabled) == (
        "wavespeed",
        "wan-2.5-1080p",
    )
    assert choose_provider(
        "transform.video", "wavespeed", None, {"resolution": "480p"}, {"image"}, enabled
    ) == ("wavespeed", "wan-2.5-480p")
    assert choose_provider("transform.avatar", "auto", None, {"resolution": "720p"}, {"image"}, enabled) == (
        "wavespeed",
        "infinitetalk-720p",
    )
    with pytest.raises(RequestError):
        choose_provider(
            "transform.video", "wavespeed", "wan-2.5-480p", {"resolution": "720p"}, {"image"}, enabled
        )
    assert choose_provider(
        "transform.video", "auto", None, {"resolution": "1080p"}, {"image"}, ["local"]
    ) == ("local", "local-video")
