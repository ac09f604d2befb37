"""Workers claim an approved operation's hold from billing before paying a provider, so an operation
canceled or expired while it waited in the queue is never run (and never lands in the library). While it
runs, the worker claims again as a heartbeat: that renews its lease (see billing's domain/leases.py)."""

import httpx

from studio_common.bus.faults import TransientError
from studio_common.contracts.billing import ClaimBody
from studio_common.ids import new_id


class ClaimError(TransientError):
    """Billing could not answer; the message comes back later through a delay queue and claims again."""


class HoldClaims:
    def __init__(
        self,
        billing_url: str,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        # `auth`: the worker's service token (studio_common.service_auth), which billing requires.
        # A few connections are enough for one billing endpoint; httpcore scans every pooled connection for
        # each request, so a pool as wide as the worker's prefetch costs CPU on every claim under a burst.
        self.client = client or httpx.AsyncClient(
            base_url=billing_url, timeout=timeout, auth=auth, limits=httpx.Limits(max_connections=8)
        )
        # This process's identity as a lease holder: a restarted worker is a different claimer.
        self.worker = new_id()[:16]

    async def claim(self, operation_id: str) -> str:
        """claimed or resumed: go ahead; cancel_requested: stop before the next step; leased: another worker
        runs it; canceled, voided, expired or posted: drop the work."""
        try:
            response = await self.client.post(
                f"/internal/holds/{operation_id}/claim", json=ClaimBody(worker=self.worker).model_dump()
            )
        except httpx.HTTPError as exc:
            raise ClaimError(f"billing unreachable: {exc.__class__.__name__}") from exc
        if response.status_code in (200, 409):
            return response.json()["outcome"]
        raise ClaimError(f"billing answered {response.status_code} to the claim of {operation_id}")

    async def aclose(self) -> None:
        await self.client.aclose()
