"""A worker's claim of a hold: billing's outcome passed through, and billing unreachable or failing
turned into a transient error (the message waits in a delay queue and claims again)."""

import asyncio
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


async def test_claims_made_while_one_is_in_flight_go_together_in_the_next_call():
    seen = []

    def billing(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.url.path, body))
        if request.url.path.endswith("/claims"):
            return httpx.Response(200, json={"outcomes": dict.fromkeys(body["operation_ids"], "claimed")})
        return httpx.Response(200, json={"outcome": "claimed"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(billing), base_url="http://billing")
    claims = HoldClaims("http://billing", client=client)
    first = asyncio.create_task(claims.claim("op-1"))
    await asyncio.sleep(0)  # op-1's call is under way
    assert await asyncio.gather(first, claims.claim("op-2"), claims.claim("op-3")) == ["claimed"] * 3
    assert seen == [
        ("/internal/holds/op-1/claim", {"worker": claims.worker}),
        ("/internal/holds/claims", {"worker": claims.worker, "operation_ids": ["op-2", "op-3"]}),
    ]


async def test_claims_whose_shared_call_failed_are_each_sent_again_alone():
    seen = []

    def billing(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/claims"):
            return httpx.Response(503)
        return httpx.Response(409, json={"outcome": "leased"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(billing), base_url="http://billing")
    claims = HoldClaims("http://billing", client=client)
    assert await asyncio.gather(claims.claim("op-1"), claims.claim("op-2")) == ["leased", "leased"]
    assert seen == ["/internal/holds/claims", "/internal/holds/op-1/claim", "/internal/holds/op-2/claim"]
