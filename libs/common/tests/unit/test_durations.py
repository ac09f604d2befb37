"""The one rule for video lengths."""

import pytest

from studio_common.durations import VIDEO_SECONDS, check_video_seconds


def test_the_lengths_the_studio_makes_pass():
    assert [check_video_seconds(s) for s in VIDEO_SECONDS] == list(VIDEO_SECONDS)
    assert check_video_seconds(10.0) == 10


@pytest.mark.parametrize("seconds", [0, 3, 7, 11, 5.5])
def test_any_other_length_is_refused_naming_the_allowed_ones(seconds):
    with pytest.raises(ValueError, match="must be one of 5, 10 seconds"):
        check_video_seconds(seconds)
