"""Social optimizer: one image cut for every platform format, each exact and within its size limit."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from studio_common.idempotency import IdempotencyKey
from studio_common.social_formats import PLATFORMS, formats_for
from studio_gateway.domain.studio_operations import SOCIAL
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.openapi_forms import form_body
from studio_gateway.entrypoints.submissions import StudioSubmission
from studio_gateway.service_layer import operation_requests
from studio_gateway.service_layer.accepting import accept_studio

router = APIRouter(prefix="/api/image-studio/social", tags=["social"])


def _format_view(fmt) -> dict:
    zone = fmt.safe_zone
    return {
        "id": fmt.id,
        "platform": fmt.platform,
        "name": fmt.name,
        "label": fmt.label,
        "width": fmt.width,
        "height": fmt.height,
        "max_bytes": fmt.max_bytes,
        "file_types": list(fmt.file_types),
        "safe_zone": {"top": zone.top, "bottom": zone.bottom, "left": zone.left, "right": zone.right},
    }


@router.get("/platforms")
async def platforms() -> dict:
    return {
        "items": [
            {
                "id": p.id,
                "name": p.name,
                "max_bytes": p.max_bytes,
                "file_types": list(p.file_types),
                "formats": [_format_view(f) for f in p.formats],
            }
            for p in PLATFORMS.values()
        ]
    }


@router.get("/platforms/{platform}/formats")
async def platform_formats(platform: str) -> dict:
    found = formats_for(platform)
    if found is None:
        raise HTTPException(404, f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}")
    return {"items": [_format_view(f) for f in found]}


@router.post("/optimize", status_code=202, openapi_extra=form_body([SOCIAL]))
async def optimize(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    answer = await accept_studio(
        request.app.state, user.user_id, SOCIAL, submission, idempotency_key, operation_requests.social_kind
    )
    return JSONResponse(answer, status_code=202)
