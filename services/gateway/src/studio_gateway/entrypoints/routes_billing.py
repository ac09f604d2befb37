"""The user's credits, on billing's internal API."""

from fastapi import APIRouter, Request

from studio_common.contracts.billing import Grant, GrantBody, PlanBody
from studio_common.ids import new_id
from studio_gateway.adapters.billing_client import BillingClient
from studio_gateway.entrypoints.auth import Admin, User
from studio_gateway.entrypoints.params import UserIdParam

router = APIRouter(prefix="/api/billing", tags=["billing"])


def _billing(request: Request) -> BillingClient:
    return request.app.state.billing


@router.get("/balance")
async def balance(user: User, request: Request) -> dict:
    b = await _billing(request).balance(user.user_id)
    return {k: b[k] for k in ("plan", "available_credits", "pending_credits", "period_end")}


@router.get("/usage")
async def usage(user: User, request: Request) -> dict:
    return await _billing(request).usage(user.user_id)


@router.get("/plans")
async def plans(request: Request) -> list:
    return await _billing(request).plans()


@router.post("/grants")
async def grant(body: GrantBody, _admin: Admin, request: Request) -> dict:
    grant = Grant(**body.model_dump(exclude={"grant_id"}), grant_id=body.grant_id or new_id())
    return await _billing(request).grant(grant)


@router.put("/accounts/{user_id}/plan")
async def set_plan(user_id: UserIdParam, body: PlanBody, _admin: Admin, request: Request) -> dict:
    return await _billing(request).set_plan(user_id, body)
