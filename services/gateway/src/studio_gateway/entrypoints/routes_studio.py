"""Edit, Upscale, Control and Transform studios: multipart uploads (or the caller's asset ids) in,
202 and an operation out, through the same pipeline as Create."""

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from studio_common.idempotency import IdempotencyKey
from studio_gateway.domain.create_request import RequestError
from studio_gateway.domain.studio_operations import (
    CONTROL,
    EDIT,
    TRANSFORM,
    UPSCALE,
    UPSCALE_KINDS,
    OperationSpec,
)
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.openapi_forms import form_body
from studio_gateway.service_layer import operation_requests, operations, studio
from studio_gateway.service_layer.operation_requests import Prepare

router = APIRouter(prefix="/api/image-studio", tags=["studios"])


async def read_submission(request: Request) -> studio.Submission:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=8, max_fields=64)
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):  # a repeated field (formats=a&formats=b) becomes "a,b"
                fields[key] = f"{fields[key]},{value}" if key in fields else value
        files = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
        return studio.Submission(fields, files)
    try:
        body = await request.json()
    except ValueError as exc:
        raise RequestError("body", "body must be multipart/form-data or a JSON object") from exc
    if not isinstance(body, dict):
        raise RequestError("body", "body must be a JSON object")
    return studio.Submission(body, {})


async def run_operation(
    spec: OperationSpec, request: Request, user, idempotency_key, prepare: Prepare | None = None
) -> JSONResponse:
    state = request.app.state
    submission = await read_submission(request)
    event, record = await operation_requests.build_studio(state, user.user_id, spec, submission, prepare)
    answer = await operations.submit(
        state.runtime, event, record, idempotency_key, timedelta(hours=state.settings.idempotency_ttl_hours)
    )
    return JSONResponse(answer, status_code=202)


def _spec(table: dict[str, OperationSpec], name: str | None, field: str) -> OperationSpec:
    if not name:
        raise RequestError(field, f"{field} is required: one of {', '.join(table)}")
    spec = table.get(name)
    if spec is None:
        raise RequestError(field, f"unknown {field} {name!r}: one of {', '.join(table)}")
    return spec


async def _operation_name(request: Request) -> str | None:
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form")):
        return (await request.form(max_files=8, max_fields=64)).get("operation")
    try:
        body = await request.json()
    except ValueError:
        return None
    return body.get("operation") if isinstance(body, dict) else None


@router.post("/edit/process", status_code=202, openapi_extra=form_body(EDIT.values(), "operation"))
async def edit(request: Request, user: User, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    spec = _spec(EDIT, await _operation_name(request), "operation")
    return await run_operation(spec, request, user, idempotency_key)


@router.get("/edit/operations")
async def edit_operations(request: Request) -> dict:
    return {"items": await _described(request, EDIT.values())}


@router.post("/upscale", status_code=202, openapi_extra=form_body([UPSCALE]))
async def upscale(request: Request, user: User, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return await run_operation(UPSCALE, request, user, idempotency_key, operation_requests.upscale_kind)


@router.post("/control/process", status_code=202, openapi_extra=form_body(CONTROL.values(), "operation"))
async def control(request: Request, user: User, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    spec = _spec(CONTROL, await _operation_name(request), "operation")
    return await run_operation(spec, request, user, idempotency_key)


@router.get("/control/operations")
async def control_operations(request: Request) -> dict:
    return {"items": await _described(request, CONTROL.values())}


@router.post(
    "/transform/image-to-video", status_code=202, openapi_extra=form_body([TRANSFORM["image-to-video"]])
)
async def image_to_video(
    request: Request, user: User, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await run_operation(TRANSFORM["image-to-video"], request, user, idempotency_key)


@router.post(
    "/transform/talking-avatar", status_code=202, openapi_extra=form_body([TRANSFORM["talking-avatar"]])
)
async def talking_avatar(
    request: Request, user: User, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await run_operation(TRANSFORM["talking-avatar"], request, user, idempotency_key)


@router.post("/transform/image-to-3d", status_code=202, openapi_extra=form_body([TRANSFORM["image-to-3d"]]))
async def image_to_3d(request: Request, user: User, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return await run_operation(TRANSFORM["image-to-3d"], request, user, idempotency_key)


@router.get("/transform/operations")
async def transform_operations(request: Request) -> dict:
    return {"items": await _described(request, TRANSFORM.values())}


async def _described(request: Request, specs) -> list[dict]:
    """Each operation with its fields and limits, and its price from billing's one table."""
    prices = await request.app.state.billing.call("GET", "/internal/prices")
    enabled = request.app.state.settings.enabled_provider_names
    described = []
    for spec in specs:
        kinds = [spec.kind] if spec is not UPSCALE else list(UPSCALE_KINDS.values())
        offers = [
            {
                "provider": p["provider"],
                "model": p["model"],
                "kind": kind,
                "credits_per_unit": p["credits_per_unit"],
                "unit": p["unit"],
                "enabled": p["provider"] in enabled,
            }
            for p in prices
            for kind in kinds
            if kind in p["kinds"]
        ]
        described.append({**spec.describe(), "prices": offers})
    return described
