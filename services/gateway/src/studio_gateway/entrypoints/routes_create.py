"""Create Studio: text (and template) to image."""

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from studio_common.idempotency import IdempotencyKey
from studio_gateway.domain.create_request import CreateBody
from studio_gateway.entrypoints.auth import User
from studio_gateway.service_layer import operation_requests, operations

router = APIRouter(prefix="/api/image-studio", tags=["create"])


async def load_persona(request: Request, user, body: CreateBody) -> dict | None:
    return await operation_requests.persona_for(request.app.state, user.user_id, body.persona_id)


@router.post("/create", status_code=202)
async def create(body: CreateBody, user: User, request: Request, idempotency_key: IdempotencyKey = None):
    state = request.app.state
    event, record = await operation_requests.build_create(state, user.user_id, body)
    answer = await operations.submit(
        state.runtime, event, record, idempotency_key, timedelta(hours=state.settings.idempotency_ttl_hours)
    )
    return JSONResponse(answer, status_code=202)
