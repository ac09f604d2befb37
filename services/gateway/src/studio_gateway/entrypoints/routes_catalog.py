"""What is on offer: templates, style presets, providers and prices, cost estimates."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from studio_common.catalog import PROVIDERS
from studio_common.durations import MAX_AVATAR_BILLED_SECONDS, check_video_seconds
from studio_gateway.domain.create_request import CreateBody, resolve_create, validated
from studio_gateway.domain.provider_choice import choose_provider
from studio_gateway.domain.studio_operations import TRANSFORM
from studio_gateway.domain.style_presets import list_style_presets
from studio_gateway.domain.templates import (
    get_template,
    list_templates,
    recommend_templates,
    search_templates,
)
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.routes_create import load_persona

router = APIRouter(prefix="/api/image-studio", tags=["catalog"])


@router.get("/templates")
async def templates(platform: str | None = None, category: str | None = None) -> dict:
    items = [t.to_dict() for t in list_templates(platform, category)]
    return {"items": items, "total": len(items)}


@router.get("/templates/search")
async def template_search(
    q: str = Query(min_length=1, max_length=200), limit: int = Query(20, ge=1, le=100)
) -> dict:
    items = [t.to_dict() for t in search_templates(q, limit)]
    return {"items": items, "total": len(items)}


@router.get("/templates/recommend")
async def template_recommend(
    use_case: str = Query(min_length=1, max_length=200),
    platform: str | None = None,
    limit: int = Query(5, ge=1, le=50),
) -> dict:
    items = [t.to_dict() for t in recommend_templates(use_case, platform, limit)]
    return {"items": items, "total": len(items)}


@router.get("/templates/{template_id}")
async def template(template_id: str) -> dict:
    found = get_template(template_id)
    if found is None:
        raise HTTPException(404, f"template {template_id!r} not found")
    return found.to_dict()


@router.get("/style-presets")
async def style_presets(category: str | None = None) -> dict:
    items = [p.to_dict() for p in list_style_presets(category)]
    return {"items": items, "total": len(items)}


@router.get("/providers")
async def providers(request: Request) -> dict:
    """Capabilities and models from the catalog, prices from billing's one price table."""
    prices = await request.app.state.billing.call("GET", "/internal/prices")
    by_model = {(p["provider"], p["model"]): p for p in prices}
    enabled = request.app.state.settings.enabled_provider_names
    return {
        "items": [
            {
                "name": info.name,
                "title": info.title,
                "enabled": info.name in enabled,
                "offline": info.offline,
                "capabilities": sorted(info.kinds()),
                "models": [
                    {
                        "model": m.model,
                        "kinds": list(m.kinds),
                        "quality": m.quality,
                        "unit": m.unit,
                        "max_side": m.max_side,
                        "credits_per_unit": by_model[(m.provider, m.model)]["credits_per_unit"],
                        "minimum_units": m.minimum_units,
                        "description": m.description,
                    }
                    for m in info.models
                ],
            }
            for info in PROVIDERS
        ]
    }


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


async def _estimate(
    request: Request,
    user_id: str,
    kind: str,
    provider: str,
    model: str | None,
    units: int,
    roles: set[str] | None = None,
    params: dict | None = None,
) -> dict:
    settings = request.app.state.settings
    chosen_provider, chosen_model = choose_provider(
        kind, provider, model, params or {}, roles or {"image", "mask"}, settings.enabled_provider_names
    )
    return await request.app.state.billing.call(
        "POST",
        "/internal/estimate",
        user_id=user_id,
        json={"kind": kind, "provider": chosen_provider, "model": chosen_model, "units": units},
    )


@router.post("/estimate-cost")
async def estimate_cost(body: dict, user: User, request: Request) -> dict:
    """Create's request body (as for /create), or {"kind", "provider", "model", "units"} for any other
    operation. Prices come from billing's one table; `covered` says whether the balance and plan allow it."""
    if "kind" in body and body["kind"] != "create":
        generic = validated(KindEstimate, body)
        return await _estimate(
            request,
            user.user_id,
            generic.kind,
            generic.provider,
            generic.model,
            generic.units,
            set(generic.roles) if generic.roles else None,
            generic.params,
        )
    body.pop("kind", None)
    create = validated(CreateBody, body)
    resolved = resolve_create(
        create, request.app.state.settings.enabled_provider_names, await load_persona(request, user, create)
    )
    estimate = await request.app.state.billing.call(
        "POST",
        "/internal/estimate",
        user_id=user.user_id,
        json={
            "kind": "create",
            "provider": resolved.provider,
            "model": resolved.model,
            "units": resolved.units,
        },
    )
    return {**estimate, "width": resolved.params["width"], "height": resolved.params["height"]}


@router.post("/transform/estimate-cost")
async def transform_estimate(body: TransformEstimate, user: User, request: Request) -> dict:
    kind = TRANSFORM[body.operation].kind
    units = body.duration if kind != "transform.3d" else 1
    return await _estimate(request, user.user_id, kind, body.provider, body.model, units)
