"""How long the studio's videos are: the lengths image-to-video makes and the speech a talking avatar
takes. One rule that the API advertises (GET /transform/operations), the estimate prices, the request
checks and the local renderer honours."""

import math

VIDEO_SECONDS = (5, 10)  # image-to-video: the lengths every provider makes
VIDEO_SOUNDTRACK_SECONDS = (3.0, 30.0)  # an optional soundtrack for image-to-video: shortest, longest
AVATAR_SPEECH_SECONDS = (0.5, 600.0)  # a talking avatar speaks its audio: shortest, longest
MAX_AVATAR_BILLED_SECONDS = math.ceil(AVATAR_SPEECH_SECONDS[1])


def check_video_seconds(seconds: float) -> int:
    """The video length if it is one the studio makes; ValueError naming the allowed ones otherwise."""
    if seconds not in VIDEO_SECONDS:
        allowed = ", ".join(map(str, VIDEO_SECONDS))
        raise ValueError(f"must be one of {allowed} seconds, not {seconds:g}")
    return int(seconds)
