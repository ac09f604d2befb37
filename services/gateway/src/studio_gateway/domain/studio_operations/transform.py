"""The transform studio: image to video, talking avatar and image to 3D."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from studio_common.durations import VIDEO_SECONDS, check_video_seconds
from studio_gateway.domain.studio_operations.spec import (
    IMAGE,
    SMALL_PIXELS,
    ImageRole,
    OperationFields,
    OperationSpec,
)


def _one_of(*allowed: int):
    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(str, allowed))}")
        return value

    return AfterValidator(check)


# Form fields arrive as text: an int choice (not a Literal) accepts "5" as well as 5.
Duration = Annotated[
    int, Field(json_schema_extra={"enum": list(VIDEO_SECONDS)}), AfterValidator(check_video_seconds)
]
TextureResolution = Annotated[int, _one_of(512, 1024, 2048)]


class ImageToVideo(OperationFields):
    prompt: str | None = Field(None, max_length=2_000)
    resolution: Literal["480p", "720p", "1080p"] = "720p"
    duration: Duration = 5
    motion: Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "ken_burns"] = "zoom_in"
    focal_x: float | None = Field(None, ge=0.0, le=1.0)
    focal_y: float | None = Field(None, ge=0.0, le=1.0)
    enable_prompt_expansion: bool = False


class TalkingAvatar(OperationFields):
    prompt: str | None = Field(None, max_length=2_000)
    resolution: Literal["480p", "720p"] = "480p"


class ImageTo3D(OperationFields):
    texture_resolution: TextureResolution = 1024
    foreground_ratio: float = Field(0.85, ge=0.1, le=1.0)
    remesh: Literal["none", "triangle", "quad"] = "none"
    vertex_count: int = Field(-1, ge=-1, le=20_000)


TRANSFORM = {
    spec.name: spec
    for spec in (
        OperationSpec(
            "image-to-video",
            "transform.video",
            "transform",
            "Image to video",
            ImageToVideo,
            (IMAGE,),
            16_777_216,
            audio="optional",
        ),
        OperationSpec(
            "talking-avatar",
            "transform.avatar",
            "transform",
            "Talking avatar",
            TalkingAvatar,
            (IMAGE, ImageRole("mask", False, "which region may move")),
            16_777_216,
            audio="required",
        ),
        OperationSpec(
            "image-to-3d", "transform.3d", "transform", "Image to 3D", ImageTo3D, (IMAGE,), SMALL_PIXELS
        ),
    )
}
