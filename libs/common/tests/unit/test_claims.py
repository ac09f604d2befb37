"""A worker's claim of a hold: billing's outcome passed through, and billing unreachable or failing
turned into a transient error (the message waits in a delay queue and claims again)."""

import json

import httpx
import pytest

from studio_common.bus.faults import TransientError
from studio_common.claims import ClaimError, HoldClaims


def claims_answering(status: int, body: dict | None = None, seen: list | None = None) -> HoldClaims:
    def billing(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append((request.url.path, json.loads(request.content)))
        return httpx.Response(status, json=body or {})

    client = httpx.AsyncClient(transport=httpx.MockTransport(billing), base_url="http://billing")
    return HoldClaims("http://billing", client=client)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(200, "claimed"), (200, "resumed"), (200, "cancel_requested"), (409, "leased"), (409, "voided")],
)
async def test_billings_outcome_is_returned_as_it_said(status, outcome):
    seen = []
    claims = claims_answering(status, {"outcome": outcome}, seen)
    assert await claims.claim("op-1") == outcome
    assert seen == [("/internal/holds/op-1/claim", {"worker": claims.worker})]


async def test_the_same_process_claims_as_one_worker_and_another_as_another():
    first, second = (
        claims_answering(200, {"outcome": "claimed"}),
        claims_answering(200, {"outcome": "claimed"}),
    )
    assert first.worker != second.worker and len(first.worker) == 16


@pytest.mark.parametrize("status", [401, 404, 500, 503])
async def test_any_other_answer_is_a_transient_claim_error(status):
    with pytest.raises(ClaimError, match=f"billing answered {status}"):
        await claims_answering(status).claim("op-1")


async def test_billing_unreachable_is_a_transient_claim_error():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url="http://billing")
    with pytest.raises(TransientError, match="billing unreachable: ConnectError"):
        await HoldClaims("http://billing", client=client).claim("op-1")
