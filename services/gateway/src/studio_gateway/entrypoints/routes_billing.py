"""The user's credits, on billing's internal API."""

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from studio_common.auth import SUBJECT_PATTERN
from studio_common.ids import new_id
from studio_gateway.entrypoints.auth import Admin, User
from studio_gateway.entrypoints.params import UserIdParam

router = APIRouter(prefix="/api/billing", tags=["billing"])
ADMIN_SCOPES = ("accounts.admin",)


class GrantBody(BaseModel):
    user_id: str = Field(pattern=SUBJECT_PATTERN.pattern, description="the account's user id")
    credits: int = Field(gt=0, le=10_000_000)
    reason: str = Field(min_length=1, max_length=500)
    grant_id: str | None = Field(None, max_length=128, description="makes a retried grant count once")


class PlanBody(BaseModel):
    plan: Literal["free", "basic", "pro", "enterprise"]


def _billing(request: Request):
    return request.app.state.billing


@router.get("/balance")
async def balance(user: User, request: Request) -> dict:
    b = await _billing(request).call("GET", "/internal/account/balance", user_id=user.user_id)
    return {k: b[k] for k in ("plan", "available_credits", "pending_credits", "period_end")}


@router.get("/usage")
async def usage(user: User, request: Request) -> dict:
    return await _billing(request).call("GET", "/internal/account/usage", user_id=user.user_id)


@router.get("/plans")
async def plans(request: Request) -> list:
    return await _billing(request).call("GET", "/internal/plans")


@router.post("/grants")
async def grant(body: GrantBody, _admin: Admin, request: Request) -> dict:
    payload = {**body.model_dump(), "grant_id": body.grant_id or new_id()}
    return await _billing(request).call("POST", "/internal/grants", scopes=ADMIN_SCOPES, json=payload)


@router.put("/accounts/{user_id}/plan")
async def set_plan(user_id: UserIdParam, body: PlanBody, _admin: Admin, request: Request) -> dict:
    return await _billing(request).call(
        "PUT",
        f"/internal/accounts/{quote(user_id, safe='')}/plan",
        scopes=ADMIN_SCOPES,
        json=body.model_dump(),
    )
