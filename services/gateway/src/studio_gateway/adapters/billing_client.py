"""Billing's internal API as typed calls: the bodies are billing's own contract models
(studio_common.contracts.billing), so what the gateway sends is what billing validates."""

from urllib.parse import quote

from studio_common.contracts.billing import ADMIN, CATALOG, READ, EstimateBody, Grant, PlanBody
from studio_gateway.adapters.internal import InternalService

ADMIN_SCOPES = (ADMIN,)


class BillingClient(InternalService):
    SCOPES = (READ, CATALOG)

    async def balance(self, user_id: str) -> dict:
        return await self.call("GET", "/internal/account/balance", user_id=user_id)

    async def usage(self, user_id: str) -> dict:
        return await self.call("GET", "/internal/account/usage", user_id=user_id)

    async def plans(self) -> list[dict]:
        return await self.call("GET", "/internal/plans")

    async def prices(self) -> list[dict]:
        """Billing's one price table: a row per provider and model, with the kinds it prices."""
        return await self.call("GET", "/internal/prices")

    async def estimate(self, user_id: str, body: EstimateBody) -> dict:
        return await self.call("POST", "/internal/estimate", user_id=user_id, json=body.model_dump())

    async def grant(self, grant: Grant) -> dict:
        return await self.call("POST", "/internal/grants", scopes=ADMIN_SCOPES, json=grant.model_dump())

    async def set_plan(self, user_id: str, body: PlanBody) -> dict:
        return await self.call(
            "PUT",
            f"/internal/accounts/{quote(user_id, safe='')}/plan",
            scopes=ADMIN_SCOPES,
            json=body.model_dump(),
        )
