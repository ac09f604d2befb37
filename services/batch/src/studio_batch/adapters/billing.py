"""Billing's batch-hold API, as the batch service calls it."""

import httpx

from studio_common.bus.faults import TransientError


class BillingUnavailable(TransientError):
    """Billing did not answer: worth trying again later."""


class BillingRefused(Exception):
    """Billing answered with a reason the batch is not covered (or cannot be priced)."""

    def __init__(self, status: int, detail) -> None:
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        super().__init__(message)
        self.status, self.detail = status, detail


class BillingClient:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        # `auth`: the batch service's token (studio_common.service_auth) with billing's batch-holds scope.
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport, auth=auth)

    async def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise BillingUnavailable(f"billing is unavailable: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise BillingUnavailable(f"billing failed ({response.status_code})")
        if response.status_code >= 400:
            raise BillingRefused(response.status_code, response.json().get("detail"))
        return response.json()

    async def preview(self, user_id: str, items: list[dict]) -> dict:
        return await self._call(
            "POST", "/internal/batch-holds/preview", json={"user_id": user_id, "items": items}
        )

    async def reserve(self, hold_id: str, user_id: str, batch_id: str, items: list[dict]) -> dict:
        return await self._call(
            "POST",
            "/internal/batch-holds",
            json={"hold_id": hold_id, "user_id": user_id, "batch_id": batch_id, "items": items},
        )

    async def release(self, hold_id: str) -> dict:
        return await self._call("POST", f"/internal/batch-holds/{hold_id}/release")

    async def aclose(self) -> None:
        await self.client.aclose()
