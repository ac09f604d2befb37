from collections import Counter
from fractions import Fraction

import pytest

from studio_common.catalog import find_offer
from studio_gateway.domain.style_presets import get_style_preset
from studio_gateway.domain.template_search import recommend_templates, search_templates
from studio_gateway.domain.templates import (
    CATEGORIES,
    PLATFORMS,
    TEMPLATES,
    Template,
    aspect_label,
    build_prompt,
    get_template,
    list_templates,
)

# The platform size table from the product spec: template id → (platform, width, height).
SPEC_SIZES = {
    "instagram-feed-square": ("instagram", 1080, 1080),
    "instagram-feed-portrait": ("instagram", 1080, 1350),
    "instagram-story": ("instagram", 1080, 1920),
    "instagram-reel-cover": ("instagram", 1080, 1920),
    "facebook-feed": ("facebook", 1200, 630),
    "facebook-feed-square": ("facebook", 1080, 1080),
    "facebook-story": ("facebook", 1080, 1920),
    "facebook-cover": ("facebook", 820, 312),
    "twitter-post": ("x", 1200, 675),
    "twitter-card": ("x", 1200, 600),
    "twitter-header": ("x", 1500, 500),
    "linkedin-post": ("linkedin", 1200, 627),
    "linkedin-post-square": ("linkedin", 1080, 1080),
    "linkedin-article-cover": ("linkedin", 1920, 1080),
    "linkedin-company-cover": ("linkedin", 1128, 191),
    "youtube-thumbnail": ("youtube", 1280, 720),
    "youtube-channel-art": ("youtube", 2560, 1440),
    "pinterest-pin": ("pinterest", 1000, 1500),
    "pinterest-story-pin": ("pinterest", 1080, 1920),
    "tiktok-video-cover": ("tiktok", 1080, 1920),
    "blog-header": ("blog", 1200, 628),
    "blog-wide-hero": ("blog", 1920, 823),
    "email-banner": ("email", 600, 200),
    "email-product": ("email", 600, 600),
    "website-hero": ("website", 1920, 1080),
    "website-banner": ("website", 1200, 400),
}
SPEC_PLATFORMS = (
    "instagram",
    "facebook",
    "x",
    "linkedin",
    "youtube",
    "pinterest",
    "tiktok",
    "blog",
    "email",
    "website",
)
DISPLAY_AD_SIZES = {(300, 250), (728, 90), (160, 600), (300, 600), (970, 250)}

# The provider catalog's image models that templates may recommend.
ALLOWED_MODELS = {
    ("local", "local-render"),
    ("stability", "ultra"),
    ("stability", "core"),
    ("stability", "sd3.5-large"),
    ("stability", "sd3.5-large-turbo"),
    ("stability", "sd3.5-medium"),
    ("wavespeed", "ideogram-v3-turbo"),
    ("wavespeed", "ideogram-v3-balanced"),
    ("wavespeed", "ideogram-v3-quality"),
    ("wavespeed", "qwen-image"),
    ("huggingface", "black-forest-labs/FLUX.1-schnell"),
    ("gemini", "gemini-2.5-flash-image"),
}


def _label_value(label: str) -> float:
    left, right = label.split(":")
    return float(left) / float(right)


# --- catalog shape --------------------------------------------------------------------------------------


def test_catalog_has_at_least_30_templates_with_unique_ids():
    assert len(TEMPLATES) >= 30
    duplicates = [i for i, n in Counter(t.id for t in TEMPLATES).items() if n > 1]
    assert duplicates == []


@pytest.mark.parametrize("template_id", sorted(SPEC_SIZES))
def test_spec_template_has_exact_size(template_id):
    platform, width, height = SPEC_SIZES[template_id]
    template = get_template(template_id)
    assert template is not None, f"missing template {template_id}"
    assert (template.platform, template.width, template.height) == (platform, width, height)


@pytest.mark.parametrize("platform", SPEC_PLATFORMS)
def test_each_spec_platform_has_exactly_the_spec_formats(platform):
    expected = Counter((w, h) for p, w, h in SPEC_SIZES.values() if p == platform)
    # Brand assets (logo mark, pattern) are extra website formats beyond the per-platform table.
    actual = Counter(
        (t.width, t.height)
        for t in list_templates(platform=platform)
        if t.id in SPEC_SIZES or t.category != "brand_assets"
    )
    assert actual == expected


def test_display_ads_and_product_shots_are_covered():
    display = list_templates(platform="display_ads")
    assert {(t.width, t.height) for t in display} == DISPLAY_AD_SIZES
    assert all(t.category == "ad_creative" for t in display)
    product = list_templates(platform="ecommerce")
    assert (2000, 2000) in {(t.width, t.height) for t in product}
    assert (1600, 2000) in {(t.width, t.height) for t in product}
    assert all(t.category == "product" for t in product)
    assert len(list_templates(category="brand_assets")) >= 2


def test_platforms_and_categories_are_all_used_and_valid():
    assert set(PLATFORMS) == {t.platform for t in TEMPLATES}
    assert set(CATEGORIES) == {t.category for t in TEMPLATES}
    assert {t.quality for t in TEMPLATES} <= {"draft", "standard", "premium"}


def test_every_template_references_a_real_style_preset():
    missing = [(t.id, t.style_preset) for t in TEMPLATES if get_style_preset(t.style_preset) is None]
    assert missing == []


def test_every_template_recommends_an_allowed_provider_model():
    bad = [(t.id, t.provider, t.model) for t in TEMPLATES if (t.provider, t.model) not in ALLOWED_MODELS]
    assert bad == []


def test_every_template_model_can_create_images_in_the_provider_catalog():
    for t in TEMPLATES:
        offer = find_offer(t.provider, t.model)
        assert offer is not None and "create" in offer.kinds, t.id


def test_premium_templates_use_premium_models():
    premium_models = {
        ("stability", "ultra"),
        ("wavespeed", "ideogram-v3-quality"),
        ("gemini", "gemini-2.5-flash-image"),
    }
    for t in TEMPLATES:
        if t.quality == "premium":
            assert (t.provider, t.model) in premium_models, t.id


def test_to_dict_is_json_friendly_and_complete():
    data = get_template("youtube-thumbnail").to_dict()
    assert data["width"] == 1280 and data["height"] == 720 and data["aspect_ratio"] == "16:9"
    assert isinstance(data["use_cases"], list)
    assert set(data) == set(Template.__slots__)


def test_invalid_template_is_rejected():
    with pytest.raises(ValueError):
        Template(
            "x",
            "X",
            "instagram",
            "social_media",
            1080,
            1080,
            "4:5",
            "photographic",
            "standard",
            "stability",
            "core",
            ("test",),
            "wrong aspect",
            "A {prompt}",
        )
    with pytest.raises(ValueError):
        Template(
            "x",
            "X",
            "myspace",
            "social_media",
            1080,
            1080,
            "1:1",
            "photographic",
            "standard",
            "stability",
            "core",
            ("test",),
            "unknown platform",
            "A {prompt}",
        )
    with pytest.raises(ValueError):
        Template(
            "x",
            "X",
            "instagram",
            "social_media",
            1080,
            1080,
            "1:1",
            "no-such-style",
            "standard",
            "stability",
            "core",
            ("test",),
            "unknown preset",
            "A {prompt}",
        )


# --- aspect labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "label"),
    [
        (1080, 1080, "1:1"),
        (1080, 1350, "4:5"),
        (1080, 1920, "9:16"),
        (1280, 720, "16:9"),
        (1500, 500, "3:1"),
        (1000, 1500, "2:3"),
        (1200, 600, "2:1"),
        (300, 250, "6:5"),
        (160, 600, "4:15"),
        (1200, 630, "1.91:1"),
        (1200, 627, "1.91:1"),
        (1200, 628, "1.91:1"),
        (820, 312, "2.63:1"),
        (1920, 823, "21:9"),
        (1128, 191, "5.91:1"),
        (728, 90, "8.09:1"),
        (970, 250, "3.88:1"),
        (1366, 768, "16:9"),
        (191, 1128, "1:5.91"),
    ],
)
def test_aspect_label(width, height, label):
    assert aspect_label(width, height) == label


def test_aspect_label_rejects_empty_sizes():
    with pytest.raises(ValueError):
        aspect_label(0, 100)


def test_template_aspect_labels_match_their_sizes():
    for t in TEMPLATES:
        assert t.aspect_ratio == aspect_label(t.width, t.height), t.id
        # Independent check: the label's value is the size's ratio, exactly for small terms, else within 2%.
        ratio = t.width / t.height
        assert abs(_label_value(t.aspect_ratio) - ratio) / ratio <= 0.02, t.id
        exact = Fraction(t.width, t.height)
        if exact.numerator <= 21 and exact.denominator <= 21:
            assert t.aspect_ratio == f"{exact.numerator}:{exact.denominator}", t.id


# --- prompt scaffolds -----------------------------------------------------------------------------------


def test_every_scaffold_has_prompt_placeholder_once():
    for t in TEMPLATES:
        assert t.prompt_scaffold.count("{prompt}") == 1, t.id
        assert len(t.prompt_scaffold.replace("{prompt}", "").split()) >= 4, t.id


def test_build_prompt_embeds_the_user_prompt_in_the_scaffold():
    template = get_template("instagram-feed-square")
    built = build_prompt(template, "  a red sneaker on a skateboard ")
    assert "a red sneaker on a skateboard" in built
    assert "{prompt}" not in built
    before, after = template.prompt_scaffold.split("{prompt}")
    assert built.startswith(before.strip()) and built.endswith(after.strip())


def test_build_prompt_keeps_user_braces_and_handles_empty_prompt():
    template = get_template("blog-header")
    assert "{x}" in build_prompt(template, "a chart of {x}")
    empty = build_prompt(template, "")
    assert ", ," not in empty and not empty.startswith(",") and empty


def test_every_template_builds_a_prompt():
    for t in TEMPLATES:
        assert "golden retriever" in build_prompt(t, "golden retriever"), t.id


# --- lookup and filters ---------------------------------------------------------------------------------


def test_get_template():
    assert get_template("youtube-thumbnail").name == "YouTube Thumbnail"
    assert get_template("YouTube-Thumbnail").id == "youtube-thumbnail"
    assert get_template("nope") is None
    assert get_template("") is None


def test_list_templates_filters_case_insensitively():
    assert list_templates() == list(TEMPLATES)
    instagram = list_templates(platform="Instagram")
    assert len(instagram) == 4 and all(t.platform == "instagram" for t in instagram)
    ads = list_templates(category="AD_CREATIVE")
    assert ads and all(t.category == "ad_creative" for t in ads)
    both = list_templates(platform="linkedin", category="blog_content")
    assert [t.id for t in both] == ["linkedin-article-cover"]


def test_list_templates_unknown_filter_is_empty():
    assert list_templates(platform="myspace") == []
    assert list_templates(category="posters") == []


# --- search ---------------------------------------------------------------------------------------------


def test_search_ranks_name_matches_first():
    results = search_templates("youtube thumbnail")
    assert results[0].id == "youtube-thumbnail"
    assert results[1].id == "youtube-channel-art"


def test_search_is_case_insensitive_and_folds_plurals():
    assert search_templates("PINTEREST PINS")[0].id == "pinterest-pin"
    assert search_templates("leaderboard ads")[0].id == "display-leaderboard"


def test_search_covers_use_cases_and_description():
    assert "pinterest-pin" in {t.id for t in search_templates("recipe")}
    assert "display-wide-skyscraper" in {t.id for t in search_templates("sidebars")}


def test_search_edge_cases():
    assert search_templates("") == []
    assert search_templates("   ") == []
    assert search_templates("the and of") == []
    assert search_templates("zzzqqq") == []
    assert len(search_templates("instagram", limit=2)) == 2
    assert search_templates("instagram", limit=0) == []


def test_search_x_or_twitter_finds_the_x_templates():
    assert {t.platform for t in search_templates("x header")[:1]} == {"x"}
    assert {t.platform for t in search_templates("twitter header")[:1]} == {"x"}


def test_the_x_templates_are_listed_under_x_and_under_its_alias_twitter():
    x_templates = list_templates(platform="x")
    assert {t.id for t in x_templates} == {"twitter-post", "twitter-card", "twitter-header"}
    assert list_templates(platform=" Twitter ") == x_templates
    assert [t.platform for t in recommend_templates("header", platform="twitter")] == ["x"] * 3


# --- recommendations ------------------------------------------------------------------------------------


def test_recommend_product_launch_on_instagram_only_returns_instagram():
    results = recommend_templates("product launch", platform="instagram")
    assert results and all(t.platform == "instagram" for t in results)
    assert "product launch" in results[0].use_cases


def test_recommend_without_platform_ranks_by_use_case():
    results = recommend_templates("video thumbnail", limit=3)
    assert results[0].id == "youtube-thumbnail"
    assert len(results) == 3


def test_recommend_returns_platform_templates_when_use_case_matches_nothing():
    results = recommend_templates("zzzqqq", platform="Pinterest", limit=10)
    assert [t.id for t in results] == [t.id for t in list_templates(platform="pinterest")]


def test_recommend_ignores_unknown_platform_and_respects_limit():
    results = recommend_templates("logo", platform="myspace", limit=2)
    assert results[0].id == "logo-mark"
    assert len(recommend_templates("promotion", limit=3)) == 3
    assert recommend_templates("promotion", limit=0) == []
    assert recommend_templates("", limit=4)  # never empty-handed
