"""Edit, Upscale, Control and Transform studios: multipart uploads (or the caller's asset ids) in,
202 and an operation out, through the same pipeline as Create."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from studio_common.idempotency import IdempotencyKey
from studio_gateway.domain.create_request import RequestError
from studio_gateway.domain.studio_operations import CONTROL, EDIT, TRANSFORM, UPSCALE, OperationSpec
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.openapi_forms import form_body
from studio_gateway.entrypoints.submissions import StudioSubmission
from studio_gateway.service_layer import offers, operation_requests
from studio_gateway.service_layer.accepting import accept_studio

router = APIRouter(prefix="/api/image-studio", tags=["studios"])


def _spec(table: dict[str, OperationSpec], name: str | None, field: str) -> OperationSpec:
    if not name:
        raise RequestError(field, f"{field} is required: one of {', '.join(table)}")
    spec = table.get(name)
    if spec is None:
        raise RequestError(field, f"unknown {field} {name!r}: one of {', '.join(table)}")
    return spec


async def _accepted(request: Request, user, spec: OperationSpec, submission, idempotency_key, prepare=None):
    answer = await accept_studio(request.app.state, user.user_id, spec, submission, idempotency_key, prepare)
    return JSONResponse(answer, status_code=202)


@router.post("/edit/process", status_code=202, openapi_extra=form_body(EDIT.values(), "operation"))
async def edit(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    spec = _spec(EDIT, submission.fields.get("operation"), "operation")
    return await _accepted(request, user, spec, submission, idempotency_key)


@router.get("/edit/operations")
async def edit_operations(request: Request) -> dict:
    return {"items": await offers.operations(request.app.state, EDIT.values())}


@router.post("/upscale", status_code=202, openapi_extra=form_body([UPSCALE]))
async def upscale(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _accepted(
        request, user, UPSCALE, submission, idempotency_key, operation_requests.upscale_kind
    )


@router.post("/control/process", status_code=202, openapi_extra=form_body(CONTROL.values(), "operation"))
async def control(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    spec = _spec(CONTROL, submission.fields.get("operation"), "operation")
    return await _accepted(request, user, spec, submission, idempotency_key)


@router.get("/control/operations")
async def control_operations(request: Request) -> dict:
    return {"items": await offers.operations(request.app.state, CONTROL.values())}


@router.post(
    "/transform/image-to-video", status_code=202, openapi_extra=form_body([TRANSFORM["image-to-video"]])
)
async def image_to_video(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _accepted(request, user, TRANSFORM["image-to-video"], submission, idempotency_key)


@router.post(
    "/transform/talking-avatar", status_code=202, openapi_extra=form_body([TRANSFORM["talking-avatar"]])
)
async def talking_avatar(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _accepted(request, user, TRANSFORM["talking-avatar"], submission, idempotency_key)


@router.post("/transform/image-to-3d", status_code=202, openapi_extra=form_body([TRANSFORM["image-to-3d"]]))
async def image_to_3d(
    request: Request, user: User, submission: StudioSubmission, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _accepted(request, user, TRANSFORM["image-to-3d"], submission, idempotency_key)


@router.get("/transform/operations")
async def transform_operations(request: Request) -> dict:
    return {"items": await offers.operations(request.app.state, TRANSFORM.values())}
