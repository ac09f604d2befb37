"""What is on offer: templates, style presets, providers and prices, cost estimates."""

from fastapi import APIRouter, HTTPException, Query, Request

from studio_gateway.domain.style_presets import list_style_presets
from studio_gateway.domain.template_search import recommend_templates, search_templates
from studio_gateway.domain.templates import get_template, list_templates
from studio_gateway.entrypoints.auth import User
from studio_gateway.service_layer import estimates, offers
from studio_gateway.service_layer.estimates import TransformEstimate

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
    return {"items": await offers.providers(request.app.state)}


@router.post("/estimate-cost")
async def estimate_cost(body: dict, user: User, request: Request) -> dict:
    """Create's request body (as for /create), or {"kind", "provider", "model", "units"} for any other
    operation. Prices come from billing's one table; `covered` says whether the balance and plan allow it."""
    return await estimates.for_body(request.app.state, user.user_id, body)


@router.post("/transform/estimate-cost")
async def transform_estimate(body: TransformEstimate, user: User, request: Request) -> dict:
    return await estimates.for_transform(request.app.state, user.user_id, body)
