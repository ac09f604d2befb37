"""The batch service's internal API answers only to the gateway's service token, and takes the user from
that token's signed claim: a user named in the query or body changes nothing, and another user's batch or
schedule is a 404 on every route."""

import httpx
import pytest

from studio_batch.adapters.billing import BillingClient
from studio_batch.entrypoints.app import create_app as create_batch
from studio_batch.settings import BatchSettings
from studio_billing.entrypoints.app import create_app as create_billing
from studio_billing.settings import BillingSettings
from studio_common.service_auth import ServiceAuth, ServiceTokens
from studio_common.settings import CommonSettings
from studio_common.testing.apps import running, service_headers

ROW = {
    "row_number": 1,
    "name": "one",
    "kind": "create",
    "request": {
        "domain": "generation",
        "kind": "create",
        "provider": "local",
        "model": "local-render",
        "units": 1,
        "params": {"prompt": "a lighthouse", "width": 64, "height": 64, "num_variations": 1},
        "inputs": {},
    },
}


@pytest.fixture
async def batch(bus_names, tmp_path):
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/billing.db", **bus_names)
    )
    async with running(billing_app):
        billing = BillingClient(
            "http://billing",
            10,
            transport=httpx.ASGITransport(app=billing_app),
            auth=ServiceAuth(
                ServiceTokens(CommonSettings(service_name="batch")), "billing", ("batch-holds",)
            ),
        )
        app = create_batch(
            BatchSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/batch.db", **bus_names), billing
        )
        async with running(app) as client:
            yield app, client


async def drafted(app, client, user: str, schedule: dict | None = None) -> str:
    """A sealed draft of `user` (priced by billing), as the gateway submits it."""
    headers = service_headers(app, "gateway", user)
    created = await client.post(
        "/internal/batches", json={"name": "mine", "schedule": schedule}, headers=headers
    )
    assert created.status_code == 201, created.text
    batch_id = created.json()["id"]
    added = await client.post(f"/internal/batches/{batch_id}/rows", json={"rows": [ROW]}, headers=headers)
    assert added.status_code == 200, added.text
    sealed = await client.post(f"/internal/batches/{batch_id}/seal", headers=headers)
    assert sealed.status_code == 200 and sealed.json()["state"] == "draft", sealed.text
    return batch_id


async def test_every_internal_route_needs_the_gateways_token(batch):
    app, client = batch
    routes = [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/internal")
        for method in item
    ]
    assert len(routes) >= 14
    for method, path in routes:
        concrete = path.replace("{", "").replace("}", "")
        response = await client.request(method, concrete, params={"user_id": "alice"}, json={})
        assert response.status_code == 401, (method, path, response.status_code)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        # a worker's or the batch service's own key: not a caller of the batch API
        (
            lambda: ServiceTokens(CommonSettings(service_name="generation")).headers(
                "batch", ("batches",), "alice"
            ),
            401,
        ),
        (
            lambda: ServiceTokens(CommonSettings(service_name="batch")).headers(
                "batch", ("batches",), "alice"
            ),
            401,
        ),
        # the gateway's token addressed to billing, not to the batch service
        (
            lambda: ServiceTokens(CommonSettings(service_name="gateway")).headers(
                "billing", ("batches",), "alice"
            ),
            401,
        ),
        # the gateway's token without the batches scope
        (
            lambda: ServiceTokens(CommonSettings(service_name="gateway")).headers(
                "batch", ("library",), "alice"
            ),
            403,
        ),
        # the gateway's token naming no user
        (lambda: ServiceTokens(CommonSettings(service_name="gateway")).headers("batch", ("batches",)), 401),
    ],
)
async def test_only_the_gateways_token_naming_a_user_lists_batches(batch, headers, status):
    _, client = batch
    response = await client.get("/internal/batches", params={"user_id": "alice"}, headers=headers())
    assert response.status_code == status, response.text


async def test_the_user_comes_only_from_the_token(batch):
    app, client = batch
    batch_id = await drafted(app, client, "alice")
    alice, mallory = service_headers(app, "gateway", "alice"), service_headers(app, "gateway", "mallory")

    listed = await client.get("/internal/batches", params={"user_id": "alice"}, headers=mallory)
    assert listed.status_code == 200 and listed.json()["total"] == 0  # the query's user is not the user
    assert (await client.get("/internal/batches", headers=alice)).json()["total"] == 1
    named = await client.post("/internal/batches", json={"user_id": "alice", "name": "x"}, headers=mallory)
    assert named.status_code == 422 and "user_id" in named.text  # a body naming a user is refused

    for method, path, body in [
        ("GET", "", None),
        ("GET", "/rows", None),
        ("POST", "/rows", {"rows": [ROW]}),
        ("POST", "/seal", None),
        ("POST", "/confirm", {"skip_invalid": True}),
        ("POST", "/pause", None),
        ("POST", "/resume", None),
        ("POST", "/cancel", None),
        ("POST", "/retry", None),
    ]:
        response = await client.request(
            method,
            f"/internal/batches/{batch_id}{path}",
            json=body,
            params={"user_id": "alice"},
            headers=mallory,
        )
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    await client.delete(f"/internal/batches/{batch_id}", params={"user_id": "alice"}, headers=mallory)

    mine = await client.get(f"/internal/batches/{batch_id}", headers=alice)
    assert mine.status_code == 200  # untouched by all of the above
    assert (mine.json()["state"], mine.json()["total_rows"], mine.json()["credits"]["reserved"]) == (
        "draft",
        1,
        0,
    )


async def test_another_users_schedule_is_a_404(batch):
    app, client = batch
    batch_id = await drafted(app, client, "alice", schedule={"cron": "0 9 * * *", "timezone": "UTC"})
    alice, mallory = service_headers(app, "gateway", "alice"), service_headers(app, "gateway", "mallory")
    confirmed = await client.post(f"/internal/batches/{batch_id}/confirm", headers=alice)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "scheduled", confirmed.text
    schedule_id = confirmed.json()["schedule_id"]

    assert (await client.get("/internal/batch-schedules", headers=mallory)).json()["items"] == []
    for method, path in [("GET", ""), ("POST", "/pause"), ("POST", "/resume"), ("DELETE", "")]:
        response = await client.request(
            method, f"/internal/batch-schedules/{schedule_id}{path}", headers=mallory
        )
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    mine = await client.get(f"/internal/batch-schedules/{schedule_id}", headers=alice)
    assert mine.status_code == 200 and mine.json()["state"] == "active", mine.text


def test_the_running_batch_service_refuses_unauthenticated_calls(stack):
    batches = f"{stack.url('batch')}/internal/batches"
    assert httpx.get(batches, params={"user_id": "u"}).status_code == 401
    assert httpx.post(batches, json={"user_id": "u", "name": "x"}).status_code == 401
