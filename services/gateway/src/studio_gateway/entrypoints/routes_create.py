"""Create Studio: text (and template) to image."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from studio_common.events import OperationRequested
from studio_gateway.domain.create_request import CreateBody, RequestError, resolve_create
from studio_gateway.entrypoints.auth import User
from studio_gateway.service_layer import operations, personas

router = APIRouter(prefix="/api/image-studio", tags=["create"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


async def load_persona(request: Request, user, body: CreateBody) -> dict | None:
    if not body.persona_id:
        return None
    async with request.app.state.runtime.sessions() as session:
        persona = await personas.get(session, user.user_id, body.persona_id)
    if persona is None:
        raise RequestError("persona_id", f"persona_id {body.persona_id!r} is not one of your personas")
    return dict(persona)


@router.post("/create", status_code=202)
async def create(body: CreateBody, user: User, request: Request, idempotency_key: IdempotencyKey = None):
    state = request.app.state
    resolved = resolve_create(body, state.settings.enabled_provider_names, await load_persona(request, user, body))
    event = OperationRequested(operation_id=operations.new_operation_id(), user_id=user.user_id, domain="generation",
                               kind="create", provider=resolved.provider, model=resolved.model,
                               units=resolved.units, params=resolved.params)
    answer = await operations.submit(state.runtime, event, body.model_dump(mode="json"), idempotency_key,
                                     timedelta(hours=state.settings.idempotency_ttl_hours))
    return JSONResponse(answer, status_code=202)
