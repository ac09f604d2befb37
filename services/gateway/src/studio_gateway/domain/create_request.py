"""The Create request as users send it, and its resolution into concrete generation parameters:
template and aspect ratio become an exact size, presets become prompt fragments, `auto` a provider."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio_common.operation_rules import MAX_SEED
from studio_common.provider_choice import NoOffer, choose_create
from studio_gateway.domain.personas import apply_persona
from studio_gateway.domain.prompting import assemble
from studio_gateway.domain.style_presets import get_style_preset
from studio_gateway.domain.templates import get_template

ASPECT_RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
MAX_SIDE, MIN_SIDE, MAX_PIXELS = 4096, 64, 4096 * 4096


class RequestError(ValueError):
    """A request that is well-formed but cannot be honoured; `field` names the culprit (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def validated(model: type[BaseModel], values: dict) -> BaseModel:
    """Validate request values, turning the first problem into a RequestError that names its field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise RequestError(field, f"{field}: {first['msg']}") from exc


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=10_000)
    template_id: str | None = Field(None, max_length=100)
    style_preset: str | None = Field(None, max_length=100)
    persona_id: str | None = Field(None, max_length=64)
    provider: str = Field("auto", max_length=64)
    model: str | None = Field(None, max_length=128)
    width: int | None = Field(None, ge=MIN_SIDE, le=MAX_SIDE)
    height: int | None = Field(None, ge=MIN_SIDE, le=MAX_SIDE)
    aspect_ratio: Literal[ASPECT_RATIOS] | None = None  # type: ignore[valid-type]
    quality: Literal["draft", "standard", "premium"] | None = None
    negative_prompt: str | None = Field(None, max_length=10_000)
    guidance_scale: float | None = Field(None, ge=0, le=30)
    steps: int | None = Field(None, ge=1, le=150)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    num_variations: int = Field(1, ge=1, le=10)
    enhance_prompt: bool = False
    output_format: Literal["png", "jpeg", "webp"] = "png"

    @model_validator(mode="after")
    def _check(self) -> "CreateBody":
        if not self.prompt.strip():
            raise ValueError("prompt must not be blank")
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither")
        if self.width and self.height and self.width * self.height > MAX_PIXELS:
            raise ValueError(f"width x height must be at most {MAX_PIXELS} pixels")
        if self.width and self.aspect_ratio:
            raise ValueError("give width/height or aspect_ratio, not both")
        return self


class ResolvedCreate(BaseModel):
    provider: str
    model: str
    units: int
    params: dict


def size_for_aspect(aspect_ratio: str, megapixels: float = 1.0) -> tuple[int, int]:
    w, h = (int(x) for x in aspect_ratio.split(":"))
    height = (megapixels * 1_000_000 * h / w) ** 0.5
    return _multiple_of_8(height * w / h), _multiple_of_8(height)


def _multiple_of_8(value: float) -> int:
    return max(MIN_SIDE, int(round(value / 8)) * 8)


def resolve_create(body: CreateBody, enabled: list[str], persona: dict | None = None) -> ResolvedCreate:
    template = None
    if body.template_id:
        template = get_template(body.template_id)
        if template is None:
            raise RequestError("template_id", f"unknown template_id {body.template_id!r}")
        if body.width or body.aspect_ratio:
            raise RequestError(
                "template_id", "a template fixes the size: leave out width/height and aspect_ratio"
            )
    preset_id = (
        body.style_preset
        or (persona or {}).get("style_preset")
        or (template.style_preset if template else None)
    )
    preset = get_style_preset(preset_id) if preset_id else None
    if preset_id and preset is None:
        raise RequestError("style_preset", f"unknown style_preset {preset_id!r}")
    quality = body.quality or (template.quality if template else "standard")
    provider, model = _choose_provider(body, template, quality, enabled)
    if template:
        width, height = template.width, template.height
    elif body.width and body.height:
        width, height = body.width, body.height
    else:
        width, height = size_for_aspect(body.aspect_ratio or "1:1")
    user_prompt, user_negative = body.prompt.strip(), body.negative_prompt
    if persona:
        user_prompt, user_negative = apply_persona(user_prompt, user_negative, persona)
    prompt, negative = assemble(user_prompt, user_negative, template, preset, quality, body.enhance_prompt)
    params = {
        "prompt": prompt,
        "negative_prompt": negative,
        "user_prompt": body.prompt.strip(),
        "width": width,
        "height": height,
        "output_format": body.output_format,
        "quality": quality,
        "template_id": template.id if template else None,
        "style_preset": preset.id if preset else None,
        "stability_style": preset.stability_style if preset else None,
        "aspect_ratio": body.aspect_ratio,
        "guidance_scale": body.guidance_scale,
        "steps": body.steps,
        "seed": body.seed,
        "num_variations": body.num_variations,
        "enhance_prompt": body.enhance_prompt,
        "persona_id": body.persona_id,
    }
    return ResolvedCreate(provider=provider, model=model, units=body.num_variations, params=params)


def _choose_provider(body: CreateBody, template, quality: str, enabled: list[str]) -> tuple[str, str]:
    preferred = (template.provider, template.model) if template else None
    try:
        offer = choose_create(body.provider, body.model, quality, preferred, enabled)
    except NoOffer as exc:
        raise RequestError(exc.field, str(exc)) from exc
    return offer.provider, offer.model
