"""Batch reservations on billing's internal API; the batch service calls these."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from studio_billing.domain.batch_quotes import BatchItem
from studio_billing.domain.pricing import PricingError
from studio_billing.service_layer import batch_holds
from studio_common.contracts.billing import BATCH_HOLDS
from studio_common.service_auth import require_scope

# Only the batch service may call these; it passes the user its own (gateway-authenticated) batch belongs to.
router = APIRouter(prefix="/internal/batch-holds", dependencies=[require_scope(BATCH_HOLDS)])


class Item(BaseModel):
    kind: str = Field(max_length=64)
    provider: str = Field(max_length=64)
    model: str = Field(max_length=128)
    units: int = Field(ge=1, le=10_000)
    count: int = Field(ge=1, le=1_000_000)


class PreviewBody(BaseModel):
    user_id: str = Field(min_length=1, max_length=128)
    items: list[Item] = Field(max_length=10_000)


class ReserveBody(PreviewBody):
    hold_id: str = Field(min_length=1, max_length=64)
    batch_id: str = Field(min_length=1, max_length=64)


def _items(body: PreviewBody) -> list[BatchItem]:
    return [BatchItem(**item.model_dump()) for item in body.items]


@router.post("/preview")
async def preview(body: PreviewBody, request: Request) -> dict:
    try:
        async with request.app.state.runtime.transaction() as session:
            return await batch_holds.preview(session, request.app.state.prices, body.user_id, _items(body))
    except PricingError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("", status_code=201)
async def reserve(body: ReserveBody, request: Request):
    """201 with the hold, or 409 with the reason (insufficient_credits, quota_exceeded) and the preview."""
    try:
        async with request.app.state.runtime.transaction() as session:
            return await batch_holds.reserve(
                session, request.app.state.prices, body.hold_id, body.user_id, body.batch_id, _items(body)
            )
    except PricingError as exc:
        raise HTTPException(422, str(exc)) from exc
    except batch_holds.BatchRejected as exc:
        return JSONResponse(
            {
                "detail": {
                    "reason": exc.rejection.reason,
                    "message": exc.rejection.message,
                    "preview": exc.preview,
                }
            },
            status_code=409,
        )


@router.post("/{hold_id}/release")
async def release(hold_id: str, request: Request) -> dict:
    async with request.app.state.runtime.transaction() as session:
        released = await batch_holds.release(session, hold_id)
    if released is None:
        raise HTTPException(404, f"no batch hold {hold_id}")
    return released


@router.get("/{hold_id}")
async def get(hold_id: str, request: Request) -> dict:
    async with request.app.state.runtime.transaction() as session:
        found = await batch_holds.get(session, hold_id)
    if found is None:
        raise HTTPException(404, f"no batch hold {hold_id}")
    return found
