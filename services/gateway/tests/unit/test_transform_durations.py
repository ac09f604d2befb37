"""Image-to-video's length: the operation list, the estimate and the request read the same rule."""

import pytest
from pydantic import ValidationError

from studio_common.durations import VIDEO_SECONDS
from studio_gateway.domain.studio_operations import TRANSFORM, ImageToVideo
from studio_gateway.entrypoints.routes_catalog import TransformEstimate


def test_the_operation_list_advertises_the_lengths_the_request_takes():
    advertised = TRANSFORM["image-to-video"].describe()["fields"]["duration"]["enum"]
    assert advertised == list(VIDEO_SECONDS)
    assert [ImageToVideo(duration=str(s)).duration for s in advertised] == advertised


@pytest.mark.parametrize("seconds", [3, 7])
def test_a_length_the_request_refuses_is_not_priced_either(seconds):
    with pytest.raises(ValidationError, match="duration"):
        ImageToVideo(duration=seconds)
    with pytest.raises(ValidationError, match="must be one of 5, 10 seconds"):
        TransformEstimate(operation="image-to-video", duration=seconds)


def test_an_avatar_is_priced_by_any_speech_length():
    assert TransformEstimate(operation="talking-avatar", duration=3).duration == 3
    with pytest.raises(ValidationError):
        TransformEstimate(operation="talking-avatar", duration=601)
