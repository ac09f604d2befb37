"""The upscale studio: modes, presets and target sizes, and the kind each mode runs as."""

from typing import Literal

from pydantic import Field, model_validator

from studio_gateway.domain.studio_operations.spec import EDIT_PIXELS, IMAGE, OperationFields, OperationSpec


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


UPSCALE = OperationSpec("upscale", "upscale", "editing", "Upscale", Upscale, (IMAGE,), EDIT_PIXELS)
UPSCALE_KINDS = {
    "fast": "upscale.fast",
    "conservative": "upscale.conservative",
    "creative": "upscale.creative",
    "auto": "upscale.auto",
}
