"""The pure rules that turn an output into an asset, and the library's query spec."""

from datetime import UTC, datetime

import pytest

from studio_assets.domain.rules import (
    MAX_TAGS,
    asset_type,
    auto_tags,
    module_for,
    normalise_tags,
    prompt_keywords,
    title_for,
    title_from_prompt,
)
from studio_assets.domain.search import AssetQuery, like_pattern, parse_moment
from studio_assets.domain.versions import chain_order, next_version


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("a red fox in the snow", "A red fox in the snow"),
        (
            "  cinematic   portrait of an old sailor, golden hour, 85mm, shallow depth of field  ",
            "Cinematic portrait of an old sailor, golden hour",
        ),
        ("one two three four five six seven eight nine ten", "One two three four five six seven eight"),
        ("sunset over the bay.", "Sunset over the bay"),
        ("éclair on a plate", "Éclair on a plate"),
        ("", "Untitled"),
        ("   ", "Untitled"),
        ("...", "Untitled"),
    ],
)
def test_title_is_the_prompts_first_words_capitalised(prompt, title):
    assert title_from_prompt(prompt) == title


def test_title_never_exceeds_200_characters():
    assert len(title_from_prompt("x" * 500)) == 200


def test_keywords_are_distinct_lower_case_and_skip_stop_words_and_numbers():
    prompt = "A Red fox and a RED barn in the snow, 4k, 2025, the fox's tail"
    assert prompt_keywords(prompt) == ["red", "fox", "barn", "snow", "4k", "tail"]


def test_keywords_stop_at_ten():
    prompt = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
    assert prompt_keywords(prompt) == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
    ]


def test_auto_tags_add_module_and_provider_without_duplicates():
    tags = auto_tags("Neon city street at night with neon rain", "create", "stability")
    assert tags == ["neon", "city", "street", "night", "rain", "create", "stability"]
    assert auto_tags("", "edit", "local") == ["edit", "local"]
    assert auto_tags("local edit of a local photo", "edit", "local") == ["local", "edit"]


def test_user_tags_are_normalised():
    assert normalise_tags(["  Summer ", "summer", "Brand  Kit", ""]) == ["summer", "brand kit"]
    assert len(normalise_tags([f"t{i}" for i in range(80)])) == MAX_TAGS


@pytest.mark.parametrize(
    ("kind", "module"),
    [
        ("create", "create"),
        ("edit.inpaint", "edit"),
        ("edit.remove_background", "edit"),
        ("upscale.fast", "upscale"),
        ("upscale.creative", "upscale"),
        ("control.sketch", "control"),
        ("control.style_transfer", "control"),
        ("social.optimize", "social"),
        ("transform.video", "transform"),
        ("transform.avatar", "transform"),
        ("transform.3d", "transform"),
        ("mystery.kind", "other"),
    ],
)
def test_module_from_kind(kind, module):
    assert module_for(kind) == module


@pytest.mark.parametrize(
    ("content_type", "key", "expected"),
    [
        ("image/png", "users/u/operations/o/0.png", "image"),
        ("image/webp", "", "image"),
        ("video/mp4", "users/u/operations/o/0.mp4", "video"),
        ("model/gltf-binary", "users/u/operations/o/0.glb", "model3d"),
        ("application/octet-stream", "users/u/operations/o/0.glb", "model3d"),
        ("audio/mpeg", "", "audio"),
        ("application/octet-stream", "users/u/operations/o/0.bin", "image"),
    ],
)
def test_type_from_content_type(content_type, key, expected):
    assert asset_type(content_type, key) == expected


def test_version_follows_its_source():
    assert next_version(None) == 1
    assert next_version(1) == 2
    assert next_version(4) == 5


def test_chain_is_ordered_oldest_first():
    t = datetime(2025, 1, 1, tzinfo=UTC)
    items = [
        {"id": "c", "version": 3, "created_at": t},
        {"id": "a", "version": 1, "created_at": t},
        {"id": "b2", "version": 2, "created_at": t.replace(hour=2)},
        {"id": "b1", "version": 2, "created_at": t.replace(hour=1)},
    ]
    assert [a["id"] for a in chain_order(items)] == ["a", "b1", "b2", "c"]


def test_query_spec_validates_sort_and_page_size():
    assert AssetQuery(user_id="u").order[0] == ("created_at", "desc")
    assert AssetQuery(user_id="u", page=3, page_size=10).offset == 20
    assert AssetQuery(user_id="u", search="  Fox ").search_term == "fox"
    assert AssetQuery(user_id="u", search="   ").search_term is None
    with pytest.raises(ValueError, match="unknown sort"):
        AssetQuery(user_id="u", sort="random")
    with pytest.raises(ValueError, match="page_size"):
        AssetQuery(user_id="u", page_size=101)


def test_like_pattern_takes_wildcards_literally():
    assert like_pattern("50%_off") == "%50\\%\\_off%"


def test_dates_parse_as_utc_with_inclusive_day_ends():
    assert parse_moment("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)
    assert parse_moment("2025-03-01", end_of_day=True) == datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_moment("2025-03-01T12:00:00+02:00") == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert parse_moment("2025-03-01T12:00:00") == datetime(2025, 3, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="not an ISO date"):
        parse_moment("yesterday")


def test_sizes_parse_and_bad_ones_are_named():
    import pytest

    from studio_assets.domain.search import parse_sizes

    assert parse_sizes("1080x1080, 1280X720") == ((1080, 1080), (1280, 720))
    for bad in ("1080", "axb", "10x", ""):
        with pytest.raises(ValueError):
            parse_sizes(bad)


@pytest.mark.parametrize(
    ("prompt", "kind", "source", "title"),
    [
        ("a red fox", "upscale.fast", "Castle", "A red fox"),
        ("", "upscale.fast", "Castle on a hill", "Upscale fast of Castle on a hill"),
        ("  ", "transform.video", "Waves", "Video of Waves"),
        ("", "transform.avatar", None, "Talking avatar"),
        ("", "edit.remove_background", None, "Edit remove background"),
        ("", "transform.3d", None, "3D model"),
    ],
)
def test_an_operation_without_a_prompt_is_titled_by_what_it_did(prompt, kind, source, title):
    assert title_for(prompt, kind, source) == title
