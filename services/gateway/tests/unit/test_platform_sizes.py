"""The sizes behind the library's platform filter."""

import pytest

from studio_gateway.domain.platform_sizes import UnknownPlatform, sizes_for


def test_a_platform_has_its_template_and_social_format_sizes():
    instagram = sizes_for("instagram")
    assert {(1080, 1080), (1080, 1350), (1080, 1920)} <= set(instagram)
    assert (1280, 720) in sizes_for("youtube") and (1280, 720) not in instagram


def test_twitter_and_x_are_one_platform_and_case_does_not_matter():
    assert sizes_for("x") == sizes_for("twitter") == sizes_for(" Twitter ")


def test_an_unknown_platform_is_named():
    with pytest.raises(UnknownPlatform, match="myspace"):
        sizes_for("myspace")
