"""The control studio: sketch and structure guidance, style reference and style transfer."""

from typing import Literal

from pydantic import Field

from studio_gateway.domain.studio_operations.spec import (
    EDIT_PIXELS,
    IMAGE,
    ImageRole,
    OperationFields,
    OperationSpec,
)


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
