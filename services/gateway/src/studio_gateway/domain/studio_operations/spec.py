"""What every studio operation shares: the common fields, the input images it takes (roles) and its spec
(kind, worker domain, pixel limit), as the studio describes it to clients."""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from studio_common.operation_rules import MAX_SEED


class OperationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field("auto", max_length=64)
    model: str | None = Field(None, max_length=128)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    output_format: Literal["png", "jpeg", "webp"] = "png"
    negative_prompt: str | None = Field(None, max_length=10_000)


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
