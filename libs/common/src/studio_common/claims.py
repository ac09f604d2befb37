"""Workers claim an approved operation's hold from billing before paying a provider, so an operation
canceled or expired while it waited in the queue is never run (and never lands in the library). While it
runs, the worker claims again as a heartbeat: that renews its lease (see billing's domain/leases.py).

A worker runs a prefetch of operations side by side, so under load several claim at once. The first claim
goes out at once; those made while it is in flight go together in the next call, which billing answers in
one transaction. An HTTP round trip costs both sides more CPU than the claim itself."""

import httpx

from studio_common.bus.faults import TransientError
from studio_common.contracts.billing import MAX_CLAIMS_PER_CALL, ClaimBody, ClaimsBody
from studio_common.group_commit import GroupCommit
from studio_common.ids import new_id


class ClaimError(TransientError):
    """Billing could not answer; the message comes back later through a delay queue and claims again."""


UNKNOWN = "unknown"  # billing has no hold for the operation


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
        # Should a call for several fail, each claim is sent again alone: one answer per claim, as before.
        self._together = GroupCommit(self._claim_several, self._claim_one, MAX_CLAIMS_PER_CALL)

    async def claim(self, operation_id: str) -> str:
        """claimed or resumed: go ahead; cancel_requested: stop before the next step; leased: another worker
        runs it; canceled, voided, expired or posted: drop the work."""
        outcome = await self._together.run(operation_id)
        if outcome == UNKNOWN:
            raise ClaimError(f"billing answered 404 to the claim of {operation_id}")
        return outcome

    async def _claim_one(self, operation_id: str) -> str:
        response = await self._post(
            f"/internal/holds/{operation_id}/claim", ClaimBody(worker=self.worker).model_dump()
        )
        if response.status_code in (200, 409):
            return response.json()["outcome"]
        if response.status_code == 404:
            return UNKNOWN
        raise ClaimError(f"billing answered {response.status_code} to the claim of {operation_id}")

    async def _claim_several(self, operation_ids: list[str]) -> list[str]:
        body = ClaimsBody(worker=self.worker, operation_ids=operation_ids).model_dump()
        response = await self._post("/internal/holds/claims", body)
        if response.status_code != 200:
            raise ClaimError(f"billing answered {response.status_code} to {len(operation_ids)} claims")
        outcomes = response.json()["outcomes"]
        return [outcomes[operation_id] for operation_id in operation_ids]

    async def _post(self, path: str, body: dict) -> httpx.Response:
        try:
            return await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ClaimError(f"billing unreachable: {exc.__class__.__name__}") from exc

    async def aclose(self) -> None:
        await self.client.aclose()
