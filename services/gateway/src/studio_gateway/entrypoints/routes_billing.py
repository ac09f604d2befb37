"""The user's credits, on billing's internal API."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from studio_common.ids import new_id
from studio_gateway.entrypoints.auth import Admin, User
from studio_gateway.entrypoints.params import ResourceId

router = APIRouter(prefix="/api/billing", tags=["billing"])


class GrantBody(BaseModel):
    user_id: str = Field(min_length=1, max_length=128)
    credits: int = Field(gt=0, le=10_000_000)
    reason: str = Field(min_length=1, max_length=500)
    grant_id: str | None = Field(None, max_length=128, description="makes a retried grant count once")


class PlanBody(BaseModel):
    plan: Literal["free", "basic", "pro", "enterprise"]


def _billing(request: Request):
    return request.app.state.billing


@router.get("/balance")
async def balance(user: User, request: Request) -> dict:
    b = await _billing(request).call("GET", f"/internal/accounts/{user.user_id}/balance")
    return {k: b[k] for k in ("plan", "available_credits", "pending_credits", "period_end")}


@router.get("/usage")
async def usage(user: User, request: Request) -> dict:
    return await _billing(request).call("GET", f"/internal/accounts/{user.user_id}/usage")


@router.get("/plans")
async def plans(request: Request) -> list:
    return await _billing(request).call("GET", "/internal/plans")


@router.post("/grants")
async def grant(body: GrantBody, _admin: Admin, request: Request) -> dict:
    payload = {**body.model_dump(), "grant_id": body.grant_id or new_id()}
    return await _billing(request).call("POST", "/internal/grants", json=payload)


@router.put("/accounts/{user_id}/plan")
async def set_plan(user_id: ResourceId, body: PlanBody, _admin: Admin, request: Request) -> dict:
    return await _billing(request).call("PUT", f"/internal/accounts/{user_id}/plan", json=body.model_dump())
