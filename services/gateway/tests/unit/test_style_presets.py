from collections import Counter

import pytest

from studio_gateway.domain.style_presets import (
    STYLE_PRESETS,
    StylePreset,
    apply_style,
    get_style_preset,
    list_style_presets,
)

NATIVE_STABILITY_STYLES = {
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
}
MARKETING_STYLES = {
    "flat-illustration",
    "minimalist",
    "watercolor",
    "oil-painting",
    "pop-art",
    "vintage-poster",
    "corporate",
    "product-studio",
    "lifestyle",
    "food-photography",
    "infographic",
    "blueprint",
    "cyberpunk",
    "vaporwave",
    "paper-cut",
    "claymation",
    "sketch",
    "ukiyo-e",
    "art-deco",
    "bauhaus",
}


def test_at_least_40_presets_with_unique_ids_and_names():
    assert len(STYLE_PRESETS) >= 40
    assert [i for i, n in Counter(p.id for p in STYLE_PRESETS).items() if n > 1] == []
    assert [i for i, n in Counter(p.name for p in STYLE_PRESETS).items() if n > 1] == []


def test_fragments_are_non_empty_and_distinct():
    for preset in STYLE_PRESETS:
        assert len(preset.prompt_fragment.split()) >= 4, preset.id
        assert preset.negative_fragment.strip(), preset.id
    assert len({p.prompt_fragment for p in STYLE_PRESETS}) == len(STYLE_PRESETS)


def test_every_native_stability_style_is_reachable():
    mapped = {p.stability_style for p in STYLE_PRESETS if p.stability_style}
    assert mapped == NATIVE_STABILITY_STYLES


def test_native_presets_map_to_their_own_style():
    for style in NATIVE_STABILITY_STYLES:
        assert get_style_preset(style).stability_style == style


def test_marketing_styles_exist():
    assert {p.id for p in STYLE_PRESETS} >= MARKETING_STYLES


def test_get_and_list():
    assert get_style_preset("watercolor").name == "Watercolor"
    assert get_style_preset("WATERCOLOR").id == "watercolor"
    assert get_style_preset("nope") is None
    assert get_style_preset("") is None
    assert list_style_presets() == list(STYLE_PRESETS)
    photo = list_style_presets("Photo")
    assert photo and all(p.category == "photo" for p in photo)
    assert list_style_presets("no-such-category") == []


def test_to_dict():
    data = get_style_preset("anime").to_dict()
    assert data["id"] == "anime" and data["stability_style"] == "anime"
    assert set(data) == set(StylePreset.__slots__)


def test_invalid_preset_is_rejected():
    with pytest.raises(ValueError):
        StylePreset("x", "X", "photo", "a look", "bad things", stability_style="not-a-style")
    with pytest.raises(ValueError):
        StylePreset("x", "X", "photo", "  ", "bad things")


def test_apply_style_appends_fragment_after_prompt():
    preset = get_style_preset("watercolor")
    prompt, negative = apply_style("a lighthouse at dawn", None, preset)
    assert prompt == f"a lighthouse at dawn, {preset.prompt_fragment}"
    assert negative == preset.negative_fragment


def test_apply_style_merges_negative_without_duplicates():
    preset = get_style_preset("photographic")  # negative includes "cartoon" and "illustration"
    _, negative = apply_style("a cat", "Cartoon, watermark, blurry illustration", preset)
    terms = [t.strip().lower() for t in negative.split(",")]
    assert terms[:3] == ["cartoon", "watermark", "blurry illustration"]
    assert terms.count("cartoon") == 1
    assert "illustration" not in terms  # already said inside "blurry illustration"
    assert "painting" in terms and "cgi" in terms


def test_apply_style_is_idempotent():
    preset = get_style_preset("cinematic")
    once = apply_style("a car chase", "text", preset)
    twice = apply_style(*once, preset)
    assert twice == once


def test_apply_style_without_preset_or_text():
    assert apply_style("a cat", None, None) == ("a cat", "")
    assert apply_style("a cat", " blurry , ", None) == ("a cat", "blurry")
    preset = get_style_preset("pixel-art")
    assert apply_style("", "", preset) == (preset.prompt_fragment, preset.negative_fragment)
