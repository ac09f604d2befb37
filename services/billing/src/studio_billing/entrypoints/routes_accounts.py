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
    ClaimsBody,
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
    outcome = (await _claim(request, [operation_id], (body or ClaimBody()).worker))[operation_id]
    if outcome == "unknown":
        raise HTTPException(404, f"no hold for operation {operation_id}")
    status = 200 if outcome in ("claimed", "resumed") else 409
    return JSONResponse({"operation_id": operation_id, "outcome": outcome}, status_code=status)


@router.post("/holds/claims", dependencies=[require_scope(CLAIM)])
async def claim_holds(body: ClaimsBody, request: Request) -> dict:
    """A worker's claims that arrived together: each operation's outcome (`unknown`: no such hold)."""
    return {"outcomes": await _claim(request, body.operation_ids, body.worker)}


async def _claim(request: Request, operation_ids: list[str], worker: str) -> dict[str, str]:
    outcomes: dict[str, str] = {}

    async def claim(session):
        answers, events = await request.app.state.work.claim_many(session, operation_ids, worker)
        outcomes.update(answers)
        return events

    await _runtime(request).in_transaction(claim)
    return outcomes


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
