"""Create Studio: text (and template) to image."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from studio_common.idempotency import IdempotencyKey
from studio_gateway.domain.create_request import CreateBody
from studio_gateway.entrypoints.auth import User
from studio_gateway.service_layer.accepting import accept_create

router = APIRouter(prefix="/api/image-studio", tags=["create"])


@router.post("/create", status_code=202)
async def create(body: CreateBody, user: User, request: Request, idempotency_key: IdempotencyKey = None):
    answer = await accept_create(request.app.state, user.user_id, body, idempotency_key)
    return JSONResponse(answer, status_code=202)
