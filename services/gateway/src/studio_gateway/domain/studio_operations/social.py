"""The social optimizer: which formats or platforms to export, how to crop, and the archive."""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from studio_gateway.domain.studio_operations.spec import IMAGE, OperationFields, OperationSpec


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


SOCIAL = OperationSpec(
    "social", "social.optimize", "editing", "Social optimizer", SocialOptimize, (IMAGE,), 40_000_000
)
