"""The edit studio's operations: remove background, inpaint, erase, outpaint, search and replace or
recolour, relight and the prompt-based edit."""

from typing import Literal

from pydantic import Field, model_validator

from studio_gateway.domain.studio_operations.spec import (
    EDIT_PIXELS,
    IMAGE,
    MASK,
    REQUIRED_MASK,
    SMALL_PIXELS,
    ImageRole,
    OperationFields,
    OperationSpec,
)


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
