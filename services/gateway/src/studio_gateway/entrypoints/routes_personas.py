"""Personas: saved brand profiles (colours, style, subject keywords, words to avoid)."""

from fastapi import APIRouter, HTTPException, Request, Response

from studio_gateway.domain.personas import PersonaBody, PersonaPatch
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import ResourceId
from studio_gateway.service_layer import personas

router = APIRouter(prefix="/api/image-studio/personas", tags=["personas"])


def _transaction(request: Request):
    return request.app.state.runtime.transaction()


def _missing(persona_id: str) -> HTTPException:
    return HTTPException(404, f"persona {persona_id} not found")


@router.post("", status_code=201)
async def create(body: PersonaBody, user: User, request: Request) -> dict:
    async with _transaction(request) as session:
        return await personas.create(session, user.user_id, body)


@router.get("")
async def list_personas(user: User, request: Request) -> dict:
    async with _transaction(request) as session:
        items = await personas.list_for(session, user.user_id)
    return {"items": items, "total": len(items)}


@router.get("/{persona_id}")
async def get(persona_id: ResourceId, user: User, request: Request) -> dict:
    async with _transaction(request) as session:
        row = await personas.get(session, user.user_id, persona_id)
    if row is None:
        raise _missing(persona_id)
    return personas.view(row)


@router.patch("/{persona_id}")
async def update(persona_id: ResourceId, body: PersonaPatch, user: User, request: Request) -> dict:
    async with _transaction(request) as session:
        updated = await personas.update(session, user.user_id, persona_id, body)
    if updated is None:
        raise _missing(persona_id)
    return updated


@router.put("/{persona_id}")
async def replace(persona_id: ResourceId, body: PersonaBody, user: User, request: Request) -> dict:
    return await update(persona_id, PersonaPatch(**body.model_dump()), user, request)


@router.delete("/{persona_id}", status_code=204)
async def delete(persona_id: ResourceId, user: User, request: Request) -> Response:
    async with _transaction(request) as session:
        if not await personas.delete(session, user.user_id, persona_id):
            raise _missing(persona_id)
    return Response(status_code=204)
