"""Batches on the public API: submit a file (or JSON rows), see the draft with its errors and cost, confirm,
watch, control and download the results. The batch service keeps the batches; rows are validated here by
the same functions as the single-operation endpoints."""

import asyncio
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import Field
from starlette.datastructures import UploadFile

from studio_common.contracts.batches import ConfirmBody, NewBatch
from studio_gateway.adapters.batch_client import BatchClient
from studio_gateway.domain.batch_files import detect_format, iter_rows
from studio_gateway.domain.create_request import RequestError, validated
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import MAX_PAGE, ResourceId
from studio_gateway.service_layer import batch_results, batch_submission
from studio_gateway.service_layer.batch_submission import ZipImages

router = APIRouter(prefix="/api/image-studio", tags=["batches"])
FINAL = ("completed", "completed_with_errors", "failed", "canceled")


class BatchHeader(NewBatch):
    defaults: dict[str, Any] = Field(
        default_factory=dict, description="fields every row gets unless it sets them"
    )


def _json_field(form, name: str):
    value = form.get(name)
    if value in (None, ""):
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise RequestError(name, f"{name}: must be JSON ({exc.msg})") from exc


async def _read(request: Request):
    """The header, the rows (an iterator) and the images ZIP, from JSON or multipart."""
    settings = request.app.state.settings
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.batch_file_max_bytes:
        raise HTTPException(
            413, f"batch_too_large: the request is larger than {settings.batch_file_max_bytes} bytes"
        )
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=2, max_fields=32, max_part_size=settings.batch_file_max_bytes)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestError("file", "file is required: a CSV, JSON array or JSONL of rows")
        header = {k: v for k, v in form.items() if k not in ("file", "images") and v != ""}
        for name in ("schedule", "notify", "defaults"):
            if name in header:
                header[name] = _json_field(form, name)
        head = await upload.read(64)
        await upload.seek(0)
        rows = iter_rows(upload.file, detect_format(upload.filename or "", head))
        images = form.get("images")
        return header, rows, images if isinstance(images, UploadFile) else None
    try:
        body = await request.json()
    except ValueError as exc:
        raise RequestError("body", "body must be JSON or multipart/form-data with a file") from exc
    if not isinstance(body, dict):
        raise RequestError("body", "body must be a JSON object with rows")
    rows = body.pop("rows", None)
    if not isinstance(rows, list):
        raise RequestError("rows", "rows: a list of row objects is required")
    return (
        body,
        [r if isinstance(r, dict) else {"__error__": "each row must be an object"} for r in rows],
        None,
    )


@router.post("/batches", status_code=201)
async def submit(request: Request, user: User) -> JSONResponse:
    state = request.app.state
    header_values, rows, images_upload = await _read(request)
    header = validated(BatchHeader, header_values)
    images = ZipImages(images_upload, state.settings.max_upload_bytes)
    new_batch = NewBatch(**header.model_dump(exclude={"defaults"}))
    answer = await batch_submission.submit(state, user.user_id, new_batch, rows, header.defaults, images)
    return JSONResponse(answer, status_code=201)


def _batch(request: Request) -> BatchClient:
    return request.app.state.batch


@router.get("/batches")
async def list_batches(
    user: User,
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100),
) -> dict:
    return await _batch(request).call(
        "GET", "/internal/batches", user_id=user.user_id, params={"page": page, "page_size": page_size}
    )


@router.get("/batches/{batch_id}")
async def get_batch(batch_id: ResourceId, user: User, request: Request) -> dict:
    return await _batch(request).call("GET", f"/internal/batches/{batch_id}", user_id=user.user_id)


@router.get("/batches/{batch_id}/rows")
async def get_rows(
    batch_id: ResourceId,
    user: User,
    request: Request,
    status: str | None = Query(None, pattern=r"^[a-z_,]{1,100}$"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=500),
) -> dict:
    params = {"page": page, "page_size": page_size, **({"status": status} if status else {})}
    return await _batch(request).call(
        "GET", f"/internal/batches/{batch_id}/rows", user_id=user.user_id, params=params
    )


@router.post("/batches/{batch_id}/confirm")
async def confirm(
    batch_id: ResourceId, user: User, request: Request, body: ConfirmBody | None = None
) -> dict:
    return await _batch(request).confirm(user.user_id, batch_id, body or ConfirmBody())


async def _act(request: Request, user, batch_id: str, action: str) -> dict:
    return await _batch(request).call("POST", f"/internal/batches/{batch_id}/{action}", user_id=user.user_id)


@router.post("/batches/{batch_id}/pause")
async def pause(batch_id: ResourceId, user: User, request: Request) -> dict:
    return await _act(request, user, batch_id, "pause")


@router.post("/batches/{batch_id}/resume")
async def resume(batch_id: ResourceId, user: User, request: Request) -> dict:
    return await _act(request, user, batch_id, "resume")


@router.post("/batches/{batch_id}/cancel")
async def cancel(batch_id: ResourceId, user: User, request: Request) -> dict:
    return await _act(request, user, batch_id, "cancel")


@router.post("/batches/{batch_id}/retry")
async def retry(batch_id: ResourceId, user: User, request: Request) -> dict:
    return await _act(request, user, batch_id, "retry")


@router.get(
    "/batches/{batch_id}/results.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def results_csv(batch_id: ResourceId, user: User, request: Request) -> StreamingResponse:
    await get_batch(batch_id, user, request)  # 404 before the stream starts
    return StreamingResponse(
        batch_results.results_csv(_batch(request), user.user_id, batch_id),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
    )


@router.get(
    "/batches/{batch_id}/results.zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
async def results_zip(batch_id: ResourceId, user: User, request: Request) -> StreamingResponse:
    await get_batch(batch_id, user, request)
    return StreamingResponse(
        batch_results.results_zip(_batch(request), request.app.state.storage, user.user_id, batch_id),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.zip"'},
    )


@router.get(
    "/batches/{batch_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(batch_id: ResourceId, user: User, request: Request) -> StreamingResponse:
    """Server-sent events: `batch` (state, counts, progress, credits) whenever it changes, `row` for each
    row that changed, and `end` once the batch has ended."""
    await get_batch(batch_id, user, request)
    state = request.app.state

    async def stream():
        seen, since, seq = None, None, 0
        while not await request.is_disconnected():
            batch = await get_batch(batch_id, user, request)
            params = {"page_size": 500, **({"changed_since": since} if since else {})}
            changed = await _batch(request).call(
                "GET", f"/internal/batches/{batch_id}/rows", user_id=user.user_id, params=params
            )
            for row in changed["items"]:
                seq += 1
                since = max(since or row["updated_at"], row["updated_at"])
                yield f"id: {seq}\nevent: row\ndata: {json.dumps(row, default=str)}\n\n"
            snapshot = (batch["state"], batch["counts"], batch["credits"])
            if snapshot != seen:
                seen, seq = snapshot, seq + 1
                yield f"id: {seq}\nevent: batch\ndata: {json.dumps(batch, default=str)}\n\n"
            if batch["state"] in FINAL and not batch["credits"]["held"]:
                yield f"event: end\ndata: {json.dumps({'state': batch['state']})}\n\n"
                return
            await asyncio.sleep(state.settings.sse_poll_seconds)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/batch-schedules")
async def list_schedules(user: User, request: Request) -> dict:
    """The user's schedules, each with its next five fire times; runs are listed by GET /batches."""
    return await _batch(request).call("GET", "/internal/batch-schedules", user_id=user.user_id)


@router.get("/batch-schedules/{schedule_id}")
async def get_schedule(schedule_id: ResourceId, user: User, request: Request) -> dict:
    return await _batch(request).call("GET", f"/internal/batch-schedules/{schedule_id}", user_id=user.user_id)


@router.get("/batch-schedules/{schedule_id}/runs")
async def schedule_runs(
    schedule_id: ResourceId,
    user: User,
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100),
) -> dict:
    await get_schedule(schedule_id, user, request)
    return await _batch(request).call(
        "GET",
        "/internal/batches",
        user_id=user.user_id,
        params={"schedule_id": schedule_id, "page": page, "page_size": page_size},
    )


@router.post("/batch-schedules/{schedule_id}/pause")
async def pause_schedule(schedule_id: ResourceId, user: User, request: Request) -> dict:
    return await _batch(request).call(
        "POST", f"/internal/batch-schedules/{schedule_id}/pause", user_id=user.user_id
    )


@router.post("/batch-schedules/{schedule_id}/resume")
async def resume_schedule(schedule_id: ResourceId, user: User, request: Request) -> dict:
    return await _batch(request).call(
        "POST", f"/internal/batch-schedules/{schedule_id}/resume", user_id=user.user_id
    )


@router.delete("/batch-schedules/{schedule_id}")
async def delete_schedule(schedule_id: ResourceId, user: User, request: Request) -> dict:
    return await _batch(request).call(
        "DELETE", f"/internal/batch-schedules/{schedule_id}", user_id=user.user_id
    )
