"""What an operation would cost the user: the provider chosen as a request would choose it, the price and
whether the balance and plan cover it from billing's one table."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from studio_common.contracts.billing import EstimateBody
from studio_common.durations import MAX_AVATAR_BILLED_SECONDS, check_video_seconds
from studio_gateway.domain.create_request import CreateBody, resolve_create, validated
from studio_gateway.domain.provider_choice import choose_provider
from studio_gateway.domain.studio_operations import TRANSFORM
from studio_gateway.service_layer.operation_requests import persona_for

DEFAULT_ROLES = frozenset({"image", "mask"})  # the inputs assumed when an estimate names none


class KindEstimate(BaseModel):
    """Estimate for any operation kind (edit.inpaint, upscale.fast, social.optimize, transform.video, ...)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=64)
    provider: str = Field("auto", max_length=64)
    model: str | None = Field(None, max_length=128)
    units: int = Field(1, ge=1, le=10_000, description="outputs, or seconds of video")
    params: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        max_length=64,
        description="the operation's fields as they will be sent (e.g. prompt, resolution): whether a "
        "provider can do it, and at which price, may depend on them",
    )
    roles: list[str] | None = Field(
        None,
        max_length=8,
        description='the input images that will be sent, e.g. ["image", "mask"]; default: image and mask',
    )


class TransformEstimate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: Literal["image-to-video", "talking-avatar", "image-to-3d"]
    provider: str = Field("auto", max_length=64)
    model: str | None = Field(None, max_length=128)
    duration: int = Field(
        5, ge=1, le=MAX_AVATAR_BILLED_SECONDS, description="video seconds, or the speech length for an avatar"
    )

    @field_validator("duration")
    @classmethod
    def _video_length(cls, duration: int, info: ValidationInfo) -> int:
        """Priced only at a length the request would accept."""
        if info.data.get("operation") == "image-to-video":
            return check_video_seconds(duration)
        return duration


async def for_kind(state, user_id: str, body: KindEstimate) -> dict:
    provider, model = choose_provider(
        body.kind,
        body.provider,
        body.model,
        body.params,
        set(body.roles) if body.roles else set(DEFAULT_ROLES),
        state.settings.enabled_provider_names,
    )
    priced = EstimateBody(kind=body.kind, provider=provider, model=model, units=body.units)
    return await state.billing.estimate(user_id, priced)


async def for_create(state, user_id: str, body: CreateBody) -> dict:
    """Create's estimate also says the size the picture will have."""
    persona = await persona_for(state, user_id, body.persona_id)
    resolved = resolve_create(body, state.settings.enabled_provider_names, persona)
    priced = EstimateBody(
        kind="create", provider=resolved.provider, model=resolved.model, units=resolved.units
    )
    estimate = await state.billing.estimate(user_id, priced)
    return {**estimate, "width": resolved.params["width"], "height": resolved.params["height"]}


async def for_body(state, user_id: str, body: dict) -> dict:
    """Create's request body (as for /create), or a KindEstimate for any other operation."""
    if "kind" in body and body["kind"] != "create":
        return await for_kind(state, user_id, validated(KindEstimate, body))
    return await for_create(
        state, user_id, validated(CreateBody, {k: v for k, v in body.items() if k != "kind"})
    )


async def for_transform(state, user_id: str, body: TransformEstimate) -> dict:
    kind = TRANSFORM[body.operation].kind
    units = body.duration if kind != "transform.3d" else 1
    return await for_kind(
        state, user_id, KindEstimate(kind=kind, provider=body.provider, model=body.model, units=units)
    )
