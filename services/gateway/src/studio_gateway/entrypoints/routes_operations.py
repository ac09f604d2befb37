"""Following an operation: read it, list them, stream its events, cancel it."""

import asyncio
import contextlib
import json
import time
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from studio_common.events import FINAL_STATUSES
from studio_gateway.domain.read_model import settled
from studio_gateway.entrypoints.auth import User
from studio_gateway.entrypoints.params import MAX_PAGE, ResourceId
from studio_gateway.entrypoints.views import operation_view
from studio_gateway.service_layer import operations

router = APIRouter(prefix="/api/image-studio/operations", tags=["operations"])
Status = Literal["queued", "approved", "running", "succeeded", "failed", "canceled", "rejected", "expired"]


async def _load(request: Request, user_id: str, operation_id: str) -> dict:
    state = request.app.state
    async with state.runtime.reading() as session:
        row = await operations.get(session, user_id, operation_id)
    if row is None:
        raise HTTPException(404, f"operation {operation_id} not found")
    return operation_view(row, state.storage, state.settings.download_url_ttl_seconds)


@router.get("")
async def list_operations(
    user: User,
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100),
    status: Status | None = None,
    kind: str | None = None,
) -> dict:
    state = request.app.state
    async with state.runtime.reading() as session:
        rows, total = await operations.list_for(session, user.user_id, page, page_size, status, kind)
    items = [operation_view(r, state.storage, state.settings.download_url_ttl_seconds) for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


@router.get("/{operation_id}")
async def get_operation(operation_id: ResourceId, user: User, request: Request) -> dict:
    return await _load(request, user.user_id, operation_id)


@router.post("/{operation_id}/cancel", status_code=202)
async def cancel(operation_id: ResourceId, user: User, request: Request) -> JSONResponse:
    status = await operations.request_cancel(request.app.state.runtime, user.user_id, operation_id)
    if status is None:
        raise HTTPException(404, f"operation {operation_id} not found")
    if status not in operations.CANCELABLE:
        raise HTTPException(
            409,
            f"operation {operation_id} is already {status}; only queued, approved or running "
            "operations can be canceled",
        )
    return JSONResponse(
        {"operation_id": operation_id, "status": status, "cancel_requested": True}, status_code=202
    )


@router.get("/{operation_id}/events")
async def events(operation_id: ResourceId, user: User, request: Request) -> StreamingResponse:
    """Server-sent events: one per status, progress or charge change, closing once the final status is
    settled (the charge is known), or a little after a final status billing has not settled."""
    first = await _load(request, user.user_id, operation_id)
    state = request.app.state

    async def stream():
        hub = state.live
        waiter = hub.subscribe(operation_id)
        sent, seq, view, final_at = None, 0, first, None
        try:
            while True:
                key = (view["status"], view["progress"], view["cost"]["charged_credits"])
                if key != sent:
                    seq += 1
                    sent = key
                    yield f"id: {seq}\nevent: operation\ndata: {json.dumps(view)}\n\n"
                if settled(view["status"], view["cost"]["charged_credits"]):
                    return
                if view["status"] in FINAL_STATUSES:
                    final_at = final_at or time.monotonic()
                    if time.monotonic() - final_at > state.settings.sse_settle_seconds:
                        return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), state.settings.sse_poll_seconds)
                waiter.clear()
                if await request.is_disconnected():
                    return
                view = await _load(request, user.user_id, operation_id)
        finally:
            hub.unsubscribe(operation_id, waiter)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
