"""The typed clients send the internal APIs' contract bodies to the right routes, with the right scopes,
and pass a called service's answers and refusals through as the public API promises."""

import httpx
import pytest
from fastapi import HTTPException

from studio_common.contracts.assets import AssetPatch, BulkDelete, BulkDownloadQuery, Usage
from studio_common.contracts.billing import EstimateBody, Grant, PlanBody
from studio_gateway.adapters.assets_client import AssetsClient
from studio_gateway.adapters.billing_client import BillingClient


async def test_billing_client_sends_contract_bodies_with_admin_scope_only_for_admin_calls(wire):
    billing, recorder = wire(BillingClient, "billing")
    await billing.grant(Grant(user_id="alice", credits=5, reason="welcome", grant_id="g1"))
    await billing.set_plan("alice@example.com", PlanBody(plan="pro"))
    await billing.estimate("alice", EstimateBody(kind="create", provider="local", model="m", units=2))
    grant, plan, estimate = recorder.requests
    assert (grant.method, grant.url.path) == ("POST", "/internal/grants")
    assert Grant.model_validate(recorder.body(0)).grant_id == "g1"
    assert (plan.method, plan.url.raw_path) == ("PUT", b"/internal/accounts/alice%40example.com/plan")
    assert PlanBody.model_validate(recorder.body(1)).plan == "pro"
    assert EstimateBody.model_validate(recorder.body(2)).units == 2
    assert all(r.headers["authorization"].startswith("Bearer ") for r in recorder.requests)
    assert grant.headers["authorization"] != estimate.headers["authorization"]  # other scopes
    await billing.aclose()


async def test_assets_client_sends_only_the_fields_a_patch_changes(wire):
    assets, recorder = wire(AssetsClient, "assets")
    await assets.update("alice", "a1", AssetPatch(favourite=True))
    await assets.bulk_delete("alice", BulkDelete(asset_ids=["a1", "a2"]))
    await assets.bulk_download("alice", BulkDownloadQuery(asset_ids=["a1"], max_bytes=100))
    await assets.record_usage("alice", "a1", Usage(event="download"))
    paths = [(r.method, r.url.path) for r in recorder.requests]
    assert paths == [
        ("PATCH", "/internal/assets/a1"),
        ("POST", "/internal/assets/bulk-delete"),
        ("POST", "/internal/assets/bulk-download"),
        ("POST", "/internal/assets/a1/usage"),
    ]
    assert recorder.body(0) == {"favourite": True}
    assert BulkDownloadQuery.model_validate(recorder.body(2)).max_bytes == 100
    await assets.aclose()


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (httpx.Response(404, json={"detail": "asset a1 not found"}), 404),
        (httpx.Response(503, headers={"Retry-After": "7"}), 503),
        (httpx.Response(500), 502),
    ],
)
async def test_a_called_services_answer_becomes_the_users_status(wire, answer, status):
    assets, _ = wire(AssetsClient, "assets", lambda _request: answer)
    with pytest.raises(HTTPException) as raised:
        await assets.get("alice", "a1")
    assert raised.value.status_code == status
    await assets.aclose()
