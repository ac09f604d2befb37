"""One platform catalogue: templates and social formats name platforms by its ids."""

from studio_common.platforms import PLATFORM_CATALOGUE, canonical_platform, known_platform, platform_name
from studio_common.social_formats import PLATFORMS as SOCIAL_PLATFORMS


def test_x_is_the_id_and_twitter_an_alias_in_any_case():
    assert canonical_platform("x") == canonical_platform(" Twitter ") == "x"
    assert known_platform("TWITTER").id == "x" and platform_name("x") == "X / Twitter"


def test_unknown_names_stay_unknown():
    assert known_platform("myspace") is None
    assert canonical_platform(" MySpace ") == "myspace"


def test_every_social_platform_is_in_the_catalogue_under_its_name():
    assert set(SOCIAL_PLATFORMS) <= set(PLATFORM_CATALOGUE)
    assert all(p.name == PLATFORM_CATALOGUE[p.id].name for p in SOCIAL_PLATFORMS.values())
