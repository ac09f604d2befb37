"""Every studio operation besides Create: its fields (validated, with the ranges users and providers
expect), the input images it takes, its pixel limit, and the kind and worker domain it maps to.

Strengths are 0-1 and an explicit 0.0 is a real value, never "use the default"."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from studio_common.durations import VIDEO_SECONDS, check_video_seconds
from studio_common.operation_rules import MAX_SEED


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


class OperationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field("auto", max_length=64)
    model: str | None = Field(None, max_length=128)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    output_format: Literal["png", "jpeg", "webp"] = "png"
    negative_prompt: str | None = Field(None, max_length=10_000)


class RemoveBackground(OperationFields):
    output_format: Literal["png", "webp"] = "png"  # transparency needs a format with alpha


class Inpaint(OperationFields):
    prompt: str = Field(min_length=1, max_length=10_000)
    grow_mask: int = Field(5, ge=0, le=100)


class Erase(OperationFields):
    grow_mask: int = Field(5, ge=0, le=20)


class Outpaint(OperationFields):
    prompt: str | None = Field(None, max_length=10_000)
    left: int = Field(0, ge=0, le=2000)
    right: int = Field(0, ge=0, le=2000)
    up: int = Field(0, ge=0, le=2000)
    down: int = Field(0, ge=0, le=2000)
    creativity: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _some_side(self) -> "Outpaint":
        if not (self.left or self.right or self.up or self.down):
            raise ValueError("left, right, up and down are all 0: give at least one side to extend")
        return self

    def canvas(self, width: int, height: int) -> tuple[int, int]:
        """The size of the result for an image of width x height."""
        return width + self.left + self.right, height + self.up + self.down


class SearchReplace(OperationFields):
    prompt: str = Field(min_length=1, max_length=10_000)
    search_prompt: str = Field(min_length=1, max_length=10_000)
    grow_mask: int = Field(3, ge=0, le=20)


class SearchRecolor(OperationFields):
    prompt: str = Field(min_length=1, max_length=10_000)
    select_prompt: str = Field(min_length=1, max_length=10_000)
    grow_mask: int = Field(3, ge=0, le=20)


class Relight(OperationFields):
    background_prompt: str | None = Field(None, max_length=10_000)
    foreground_prompt: str | None = Field(None, max_length=10_000)
    light_source_direction: Literal["left", "right", "above", "below"] | None = None
    light_source_strength: float = Field(0.3, ge=0.0, le=1.0)
    preserve_original_subject: float = Field(0.6, ge=0.0, le=1.0)
    original_background_depth: float = Field(0.5, ge=0.0, le=1.0)
    keep_original_background: bool = False


class GeneralEdit(OperationFields):
    prompt: str = Field(
        min_length=1, max_length=2_000, description="the instruction, e.g. 'brighter and warmer'"
    )


class Upscale(OperationFields):
    mode: Literal["fast", "conservative", "creative", "auto"] = "auto"
    preset: Literal["web", "print", "social"] | None = None
    target_long_side: int | None = Field(None, ge=64, le=8192)
    print_width_in: float | None = Field(None, gt=0, le=100)
    print_height_in: float | None = Field(None, gt=0, le=100)
    prompt: str | None = Field(None, max_length=10_000)
    creativity: float | None = Field(None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _consistent(self) -> "Upscale":
        if self.mode in ("fast", "conservative") and (self.preset or self.target_long_side):
            raise ValueError(f"mode {self.mode} has a fixed size: leave out preset and target_long_side")
        if self.preset and self.target_long_side:
            raise ValueError("give preset or target_long_side, not both")
        if self.mode == "creative" and not self.prompt:
            raise ValueError("prompt is required for creative upscale")
        return self


class SketchOrStructure(OperationFields):
    prompt: str = Field(min_length=1, max_length=10_000)
    control_strength: float = Field(0.7, ge=0.0, le=1.0)


class Style(OperationFields):
    prompt: str = Field(min_length=1, max_length=10_000)
    fidelity: float = Field(0.5, ge=0.0, le=1.0)
    aspect_ratio: Literal["21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21"] = "1:1"


class StyleTransfer(OperationFields):
    prompt: str | None = Field(None, max_length=10_000)
    style_strength: float = Field(1.0, ge=0.0, le=1.0)
    composition_fidelity: float = Field(0.9, ge=0.0, le=1.0)
    change_strength: float = Field(0.9, ge=0.1, le=1.0)


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


class SocialOptimize(OperationFields):
    output_format: Literal["jpeg", "png", "webp"] = "jpeg"
    formats: list[str] = Field(default_factory=list, description='format ids, e.g. "instagram.feed_square"')
    platforms: list[str] = Field(default_factory=list, description="every format of these platforms")
    crop_mode: Literal["smart", "center", "fit"] = "smart"
    focal_x: float | None = Field(None, ge=0.0, le=1.0)
    focal_y: float | None = Field(None, ge=0.0, le=1.0)
    safe_zone_overlay: bool = False
    zip: bool = True

    @field_validator("formats", "platforms", mode="before")
    @classmethod
    def _split(cls, value):
        """Forms send "a,b" or the field repeated; JSON sends a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _focal_pair(self) -> "SocialOptimize":
        if (self.focal_x is None) != (self.focal_y is None):
            raise ValueError("give both focal_x and focal_y, or neither")
        if not self.formats and not self.platforms:
            raise ValueError("formats: give formats or platforms to export")
        return self


@dataclass(frozen=True, slots=True)
class ImageRole:
    name: str  # the multipart field; "<name>_asset_id" names a library asset instead
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class OperationSpec:
    name: str
    kind: str
    domain: str
    title: str
    fields: type[OperationFields]
    images: tuple[ImageRole, ...]
    max_pixels: int
    audio: Literal["none", "optional", "required"] = "none"

    def describe(self) -> dict:
        schema = self.fields.model_json_schema()
        return {
            "operation": self.name,
            "kind": self.kind,
            "title": self.title,
            "max_input_pixels": self.max_pixels,
            "images": [
                {
                    "field": r.name,
                    "asset_field": f"{r.name}_asset_id",
                    "required": r.required,
                    "description": r.description,
                }
                for r in self.images
            ],
            "audio": self.audio,
            "fields": schema.get("properties", {}),
            "required": schema.get("required", []),
        }


IMAGE = ImageRole("image", True, "the image to work on (PNG, JPEG or WebP)")
MASK = ImageRole("mask", False, "greyscale mask of the image's size: white = change, black = keep")
REQUIRED_MASK = ImageRole("mask", True, "greyscale mask of the image's size: white = change, black = keep")
EDIT_PIXELS, SMALL_PIXELS = 9_437_184, 4_194_304

EDIT = {
    spec.name: spec
    for spec in (
        OperationSpec(
            "remove_background",
            "edit.remove_background",
            "editing",
            "Remove background",
            RemoveBackground,
            (IMAGE,),
            SMALL_PIXELS,
        ),
        OperationSpec(
            "inpaint",
            "edit.inpaint",
            "editing",
            "Inpaint and fix",
            Inpaint,
            (IMAGE, REQUIRED_MASK),
            EDIT_PIXELS,
        ),
        OperationSpec("erase", "edit.erase", "editing", "Erase", Erase, (IMAGE, REQUIRED_MASK), EDIT_PIXELS),
        OperationSpec(
            "outpaint",
            "edit.outpaint",
            "editing",
            "Outpaint (extend the canvas)",
            Outpaint,
            (IMAGE,),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "search_replace",
            "edit.search_replace",
            "editing",
            "Search and replace",
            SearchReplace,
            (IMAGE, MASK),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "search_recolor",
            "edit.search_recolor",
            "editing",
            "Search and recolour",
            SearchRecolor,
            (IMAGE, MASK),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "relight",
            "edit.relight",
            "editing",
            "Replace background and relight",
            Relight,
            (
                IMAGE,
                ImageRole("background_reference", False, "the new background"),
                ImageRole("light_reference", False, "an image whose light to match"),
            ),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "general_edit",
            "edit.general",
            "editing",
            "Prompt-based edit",
            GeneralEdit,
            (IMAGE, MASK),
            EDIT_PIXELS,
        ),
    )
}
UPSCALE = OperationSpec("upscale", "upscale", "editing", "Upscale", Upscale, (IMAGE,), EDIT_PIXELS)
CONTROL = {
    spec.name: spec
    for spec in (
        OperationSpec(
            "sketch",
            "control.sketch",
            "generation",
            "Sketch to image",
            SketchOrStructure,
            (IMAGE,),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "structure",
            "control.structure",
            "generation",
            "Structure control",
            SketchOrStructure,
            (IMAGE,),
            EDIT_PIXELS,
        ),
        OperationSpec(
            "style", "control.style", "generation", "Style reference", Style, (IMAGE,), EDIT_PIXELS
        ),
        OperationSpec(
            "style_transfer",
            "control.style_transfer",
            "generation",
            "Style transfer",
            StyleTransfer,
            (IMAGE, ImageRole("style_image", True, "the image whose style to transfer")),
            EDIT_PIXELS,
        ),
    )
}
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
SOCIAL = OperationSpec(
    "social", "social.optimize", "editing", "Social optimizer", SocialOptimize, (IMAGE,), 40_000_000
)
UPSCALE_KINDS = {
    "fast": "upscale.fast",
    "conservative": "upscale.conservative",
    "creative": "upscale.creative",
    "auto": "upscale.auto",
}
