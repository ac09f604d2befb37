"""Finding 4: the internal APIs of billing and assets answer only to services holding their key, within
the scopes the called service allows each caller, and take the user from the gateway's signed token."""

import time

import httpx
import jwt
import pytest

from studio_assets.entrypoints.app import create_app as create_assets
from studio_assets.settings import AssetsSettings
from studio_billing.entrypoints.app import create_app as create_billing
from studio_billing.settings import BillingSettings
from studio_common.service_auth import ServiceTokens
from studio_common.settings import CommonSettings
from studio_common.testing.apps import running, service_headers

GRANT = {"user_id": "mallory", "credits": 10_000_000, "reason": "free money", "grant_id": "g-1"}


@pytest.fixture
async def billing(bus_names, tmp_path):
    app = create_billing(BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **bus_names))
    async with running(app) as client:
        yield app, client


@pytest.fixture
async def assets(bus_names, tmp_path):
    app = create_assets(AssetsSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db", **bus_names))
    async with running(app) as client:
        yield app, client


def token_from(caller: str, audience: str, scopes: str, key: str | None = None, **claims) -> dict[str, str]:
    now = int(time.time())
    body = {
        "iss": "studio-internal",
        "sub": caller,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "scope": scopes,
        **claims,
    }
    signing_key = key or CommonSettings(service_name=caller).service_key(caller)
    return {"Authorization": f"Bearer {jwt.encode(body, signing_key, algorithm='HS256')}"}


async def test_an_unauthenticated_grant_is_refused(billing):
    app, client = billing
    response = await client.post("/internal/grants", json=GRANT)
    assert response.status_code == 401
    granted = await client.post("/internal/grants", json=GRANT, headers=service_headers(app, "gateway"))
    assert granted.status_code == 200


@pytest.mark.parametrize(
    ("caller", "audience", "scopes", "extra", "status"),
    [
        ("generation", "billing", "accounts.admin", {}, 403),  # a worker may only claim holds
        ("gateway", "assets", "accounts.admin", {}, 401),  # addressed to another service
        ("gateway", "billing", "accounts.admin", {"key": "k" * 64}, 401),  # not the gateway's key
        ("gateway", "billing", "accounts.admin", {"exp": -5}, 401),  # expired
        ("stranger", "billing", "accounts.admin", {}, 401),  # an unknown service
        ("gateway", "billing", "accounts.read", {}, 403),  # a scope that is not for grants
    ],
)
async def test_grants_need_the_gateways_admin_scope(billing, caller, audience, scopes, extra, status):
    _, client = billing
    if "exp" in extra:
        extra = {"exp": int(time.time()) + extra["exp"]}
    headers = token_from(caller, audience, scopes, **extra)
    response = await client.post("/internal/grants", json=GRANT, headers=headers)
    assert response.status_code == status, response.text


async def test_a_worker_claims_holds_and_nothing_else(billing):
    app, client = billing
    worker = service_headers(app, "generation")
    claimed = await client.post("/internal/holds/op-1/claim", headers=worker)
    assert claimed.status_code == 404  # allowed, and there is no such hold
    assert (await client.get("/internal/prices", headers=worker)).status_code == 403
    worker_as_user = token_from("generation", "billing", "accounts.read holds.claim", user="victim")
    assert (await client.get("/internal/account/balance", headers=worker_as_user)).status_code == 403


async def test_the_account_is_the_user_in_the_gateways_token(billing):
    app, client = billing
    await client.post("/internal/grants", json=GRANT, headers=service_headers(app, "gateway"))
    mine = await client.get("/internal/account/balance", headers=service_headers(app, "gateway", "alice"))
    assert mine.status_code == 200 and mine.json()["user_id"] == "alice"
    assert (
        await client.get(
            "/internal/accounts/mallory/balance", headers=service_headers(app, "gateway", "alice")
        )
    ).status_code == 404
    no_user = await client.get("/internal/account/balance", headers=service_headers(app, "gateway"))
    assert no_user.status_code == 401


async def test_the_asset_library_needs_the_gateways_token_naming_the_user(assets):
    app, client = assets
    assert (await client.get("/internal/assets", params={"user_id": "victim"})).status_code == 401
    assert (await client.post("/internal/boards/open", json={"token": "x"})).status_code == 401
    worker_tokens = ServiceTokens(CommonSettings(service_name="generation"))
    worker = worker_tokens.headers("assets", ("library",), "victim")
    assert (await client.get("/internal/assets", headers=worker)).status_code == 401  # not a caller of assets
    listing = await client.get(
        "/internal/assets", params={"user_id": "victim"}, headers=service_headers(app, "gateway", "alice")
    )
    assert listing.status_code == 200 and listing.json()["total"] == 0


def test_the_running_stack_refuses_unauthenticated_internal_calls(stack):
    assert httpx.post(f"{stack.url('billing')}/internal/grants", json=GRANT).status_code == 401
    assert httpx.get(f"{stack.url('assets')}/internal/assets", params={"user_id": "u"}).status_code == 401


def test_metrics_are_served_on_their_own_port_only(stack):
    for service in ("gateway", "billing", "generation"):
        assert httpx.get(f"{stack.url(service)}/metrics").status_code == 404
        metrics = httpx.get(stack.metrics_url(service))
        assert metrics.status_code == 200 and "studio_events_published_total" in metrics.text


@pytest.mark.parametrize("service", ["billing", "assets"])
async def test_every_internal_route_needs_a_service_token(service, billing, assets):
    app, client = billing if service == "billing" else assets
    routes = [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/internal")
        for method in item
    ]
    assert len(routes) >= (8 if service == "billing" else 18)
    for method, path in routes:
        concrete = path.replace("{", "").replace("}", "")  # every parameter named after itself
        response = await client.request(method, concrete, json={})
        assert response.status_code == 401, (method, path, response.status_code)
