import pytest

from studio_common.social_formats import (
    FORMATS,
    MB,
    PLATFORMS,
    SafeZone,
    format_by_id,
    formats_for,
    get_format,
)

A = (0.15, 0.15, 0.10, 0.10)
B = (0.20, 0.20, 0.10, 0.10)
C = (0.25, 0.15, 0.10, 0.10)
D = (0.20, 0.10, 0.15, 0.15)

# The table of the product description: platform, format, width, height, safe zone, size limit.
EXPECTED = [
    ("instagram", "feed_square", 1080, 1080, A, 30 * MB),
    ("instagram", "feed_portrait", 1080, 1350, B, 30 * MB),
    ("instagram", "story", 1080, 1920, C, 30 * MB),
    ("instagram", "reel", 1080, 1920, C, 30 * MB),
    ("facebook", "feed", 1200, 630, A, 30 * MB),
    ("facebook", "feed_square", 1080, 1080, A, 30 * MB),
    ("facebook", "story", 1080, 1920, C, 30 * MB),
    ("facebook", "cover", 820, 312, D, 30 * MB),
    ("x", "post", 1200, 675, A, 5 * MB),
    ("x", "card", 1200, 600, A, 5 * MB),
    ("x", "header", 1500, 500, D, 5 * MB),
    ("linkedin", "feed", 1200, 627, A, 8 * MB),
    ("linkedin", "feed_square", 1080, 1080, A, 8 * MB),
    ("linkedin", "article", 1200, 627, A, 8 * MB),
    ("linkedin", "company_cover", 1128, 191, D, 8 * MB),
    ("youtube", "thumbnail", 1280, 720, A, 2 * MB),
    ("youtube", "channel_art", 2560, 1440, D, 6 * MB),
    ("pinterest", "pin", 1000, 1500, B, 20 * MB),
    ("pinterest", "story_pin", 1080, 1920, C, 20 * MB),
    ("tiktok", "video_cover", 1080, 1920, C, 10 * MB),
]


def test_seven_platforms_twenty_formats():
    assert set(PLATFORMS) == {"instagram", "facebook", "x", "linkedin", "youtube", "pinterest", "tiktok"}
    assert len(FORMATS) == 20
    assert len({f.id for f in FORMATS}) == 20
    assert sum(len(p.formats) for p in PLATFORMS.values()) == 20


def test_megabyte_is_decimal():
    assert MB == 1_000_000


@pytest.mark.parametrize(("platform", "name", "width", "height", "zone", "limit"), EXPECTED)
def test_format_table(platform, name, width, height, zone, limit):
    fmt = get_format(platform, name)
    assert fmt is not None
    assert fmt.id == f"{platform}.{name}"
    assert fmt.platform == platform and fmt.name == name
    assert (fmt.width, fmt.height) == (width, height)
    sz = fmt.safe_zone
    assert (sz.top, sz.bottom, sz.left, sz.right) == pytest.approx(zone)
    assert fmt.max_bytes == limit
    assert "jpeg" in fmt.file_types and "png" in fmt.file_types
    assert fmt in PLATFORMS[platform].formats


def test_table_covers_every_format():
    assert {(p, n) for p, n, *_ in EXPECTED} == {(f.platform, f.name) for f in FORMATS}


def test_platform_limits():
    limits = {p.id: p.max_bytes for p in PLATFORMS.values()}
    assert limits == {
        "instagram": 30 * MB,
        "facebook": 30 * MB,
        "x": 5 * MB,
        "linkedin": 8 * MB,
        "youtube": 2 * MB,
        "pinterest": 20 * MB,
        "tiktok": 10 * MB,
    }


def test_lookups():
    assert get_format("instagram", "instagram.feed_square") is get_format("instagram", "feed_square")
    assert get_format("Instagram", "STORY").id == "instagram.story"
    assert get_format("twitter", "header").id == "x.header"
    assert format_by_id("youtube.thumbnail").max_bytes == 2 * MB
    assert [f.name for f in formats_for("x")] == ["post", "card", "header"]


@pytest.mark.parametrize(
    ("platform", "format_id"),
    [("instagram", "cover"), ("myspace", "feed"), ("facebook", "instagram.story"), ("x", ""), ("", "post")],
)
def test_unknown_ids_give_none(platform, format_id):
    assert get_format(platform, format_id) is None


def test_unknown_platform_and_ids():
    assert formats_for("myspace") is None
    assert format_by_id("nonsense") is None
    assert format_by_id("x.nonsense") is None


def test_accepts_file_types():
    assert get_format("instagram", "story").accepts("image/jpeg")
    assert get_format("instagram", "story").accepts("JPG")
    assert not get_format("instagram", "story").accepts("webp")
    assert get_format("x", "post").accepts(".webp")


def test_safe_rect():
    zone = SafeZone(top=0.25, bottom=0.15, left=0.10, right=0.10)
    assert zone.rect(1080, 1920) == (108, 480, 864, 1152)
