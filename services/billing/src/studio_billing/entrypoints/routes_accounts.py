"""Billing's internal HTTP API. Every route needs a service token (studio_common.service_auth); a user's
own account is the user the gateway's token names, never an id from the request."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from studio_billing.domain.plans import PLANS
from studio_billing.domain.pricing import PricingError
from studio_billing.entrypoints.callers import AccountUser, TargetUser
from studio_billing.service_layer import accounts
from studio_common.contracts.billing import (
    ADMIN,
    CATALOG,
    CLAIM,
    ClaimBody,
    EstimateBody,
    Grant,
    PlanBody,
)
from studio_common.service_auth import require_scope

router = APIRouter(prefix="/internal")


def _runtime(request: Request):
    return request.app.state.runtime


@router.get("/account/balance")
async def get_balance(user_id: AccountUser, request: Request) -> dict:
    async with _runtime(request).transaction() as session:
        return await accounts.balance(session, user_id)


@router.get("/account/usage")
async def get_usage(user_id: AccountUser, request: Request) -> dict:
    async with _runtime(request).transaction() as session:
        return await accounts.usage(session, user_id)


@router.post("/grants", dependencies=[require_scope(ADMIN)])
async def post_grant(body: Grant, request: Request) -> dict:
    async with _runtime(request).transaction() as session:
        return await accounts.grant(session, body.user_id, body.credits, body.reason, body.grant_id)


@router.put("/accounts/{user_id}/plan", dependencies=[require_scope(ADMIN)])
async def put_plan(user_id: TargetUser, body: PlanBody, request: Request) -> dict:
    async with _runtime(request).transaction() as session:
        return await accounts.set_plan(session, user_id, body.plan)


@router.post("/holds/{operation_id}/claim", dependencies=[require_scope(CLAIM)])
async def claim_hold(operation_id: str, request: Request, body: ClaimBody | None = None) -> JSONResponse:
    """Claim before running, and again as a heartbeat while running (renews the lease)."""
    outcomes: list[str] = []

    async def claim(session):
        outcome, events = await request.app.state.work.claim(
            session, operation_id, (body or ClaimBody()).worker
        )
        outcomes.append(outcome)
        return events

    await _runtime(request).in_transaction(claim)
    if outcomes[0] == "unknown":
        raise HTTPException(404, f"no hold for operation {operation_id}")
    status = 200 if outcomes[0] in ("claimed", "resumed") else 409
    return JSONResponse({"operation_id": operation_id, "outcome": outcomes[0]}, status_code=status)


@router.get("/plans", dependencies=[require_scope(CATALOG)])
async def get_plans() -> list[dict]:
    return [plan.to_dict() for plan in PLANS.values()]


@router.get("/prices", dependencies=[require_scope(CATALOG)])
async def get_prices(request: Request) -> list[dict]:
    return request.app.state.prices.rows()


@router.post("/estimate")
async def post_estimate(body: EstimateBody, user_id: AccountUser, request: Request) -> dict:
    try:
        async with _runtime(request).transaction() as session:
            return await accounts.estimate(
                session, request.app.state.prices, user_id, body.kind, body.provider, body.model, body.units
            )
    except PricingError as exc:
        raise HTTPException(422, str(exc)) from exc
