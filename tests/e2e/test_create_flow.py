"""Create Studio end to end: template → succeeded → library → download → exact charge."""

import io
import json

import httpx
from PIL import Image

from studio_common.testing.client import StudioClient


def test_create_from_template_end_to_end(user: StudioClient):
    before = user.balance()
    assert before["plan"] == "free" and before["available_credits"] == 200

    op_id = user.create(
        prompt="a bright coffee shop interior",
        template_id="instagram-feed-portrait",
        num_variations=2,
        output_format="jpeg",
    )
    op = user.wait(op_id)
    assert op["status"] == "succeeded", op
    assert op["cost"] == {"estimated_credits": 2, "reserved_credits": 2, "charged_credits": 2}
    assert len(op["outputs"]) == 2 and op["progress"] == 1.0
    images = []
    for output in op["outputs"]:
        assert (output["width"], output["height"]) == (1080, 1350)
        data = httpx.get(output["url"]).content
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.size == (1080, 1350)
        images.append(image.convert("L").resize((64, 64)))
    assert images[0].tobytes() != images[1].tobytes(), "variations must differ"

    assets = user.assets_of(op_id, 2)
    assert {a["id"] for a in assets} == {o["asset_id"] for o in op["outputs"]}
    asset = user.get(f"/api/content-assets/{assets[0]['id']}").json()
    assert (asset["width"], asset["height"], asset["module"], asset["provider"]) == (
        1080,
        1350,
        "create",
        "local",
    )
    assert "coffee" in asset["prompt"]
    found = user.get("/api/content-assets", params={"search": "COFFEE shop"}).json()
    assert found["total"] == 2 and found["page"] == 1

    link = user.get(f"/api/content-assets/{asset['id']}/download").json()
    downloaded = httpx.get(link["url"])
    assert downloaded.status_code == 200
    assert Image.open(io.BytesIO(downloaded.content)).size == (1080, 1350)

    after = user.wait_no_pending()
    assert after["available_credits"] == before["available_credits"] - 2 * 1  # price x variations

    listed = user.get("/api/image-studio/operations").json()
    assert listed["items"][0]["operation_id"] == op_id and listed["total"] == 1


def test_exact_size_without_template(user: StudioClient):
    op = user.wait(
        user.create(
            prompt="minimal product shot of a ceramic mug",
            width=333,
            height=517,
            output_format="webp",
            seed=7,
        )
    )
    [output] = op["outputs"]
    image = Image.open(io.BytesIO(httpx.get(output["url"]).content))
    assert (image.format, image.size) == ("WEBP", (333, 517))


def test_server_sent_events_follow_the_operation(user: StudioClient):
    op_id = user.create(prompt="a sailing boat at dusk", num_variations=3, width=256, height=256)
    views = []
    with user.http.stream("GET", f"/api/image-studio/operations/{op_id}/events", timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                views.append(json.loads(line[6:]))
    statuses = [view["status"] for view in views]
    assert statuses[-1] == "succeeded"
    # The stream closes on the settled charge, not before it (billing settles after the completion).
    cost = views[-1]["cost"]
    assert cost["charged_credits"] is not None and cost["charged_credits"] == cost["reserved_credits"]
    order = ["queued", "approved", "running", "succeeded"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)


def test_idempotency_key_replays_and_refuses_a_different_body(user: StudioClient):
    body = {"prompt": "a lighthouse in fog", "width": 256, "height": 256}
    headers = {"Idempotency-Key": "retry-123"}
    first = user.post("/api/image-studio/create", json=body, headers=headers)
    second = user.post("/api/image-studio/create", json=body, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    different = user.post("/api/image-studio/create", json={**body, "prompt": "a castle"}, headers=headers)
    assert different.status_code == 409 and "Idempotency-Key" in different.json()["message"]
    user.wait(first.json()["operation_id"])
    assert user.get("/api/image-studio/operations").json()["total"] == 1


def test_quota_rejection_names_limit_usage_and_reset(user: StudioClient):
    user.wait(user.create(prompt="ten variations", width=128, height=128, num_variations=10))
    op = user.wait(user.create(prompt="one too many", width=128, height=128))
    assert op["status"] == "rejected"
    assert op["error"]["code"] == "quota_exceeded"
    assert (op["error"]["limit"], op["error"]["usage"]) == (10, 10) and op["error"]["resets_at"]
    assert op["cost"]["reserved_credits"] is None
    assert user.wait_no_pending()["available_credits"] == 190


def test_estimate_and_catalog(user: StudioClient):
    estimate = user.post(
        "/api/image-studio/estimate-cost",
        json={"prompt": "x", "template_id": "youtube-thumbnail", "num_variations": 3},
    ).json()
    assert estimate["estimated_credits"] == 3 * estimate["credits_per_unit"] and estimate["covered"] is True
    assert (estimate["width"], estimate["height"]) == (1280, 720)
    providers = user.get("/api/image-studio/providers").json()["items"]
    local = next(p for p in providers if p["name"] == "local")
    assert local["enabled"] and "create" in local["capabilities"]
    ultra = next(
        m for p in providers if p["name"] == "stability" for m in p["models"] if m["model"] == "ultra"
    )
    assert ultra["credits_per_unit"] == 8
    templates = user.get("/api/image-studio/templates", params={"platform": "instagram"}).json()
    assert templates["total"] >= 4
    x = user.get("/api/image-studio/templates", params={"platform": "x"}).json()
    assert x["total"] == 3 and {t["platform"] for t in x["items"]} == {"x"}
    assert user.get("/api/image-studio/templates", params={"platform": "twitter"}).json() == x
    assert len(user.get("/api/image-studio/style-presets").json()["items"]) >= 40
    search = user.get("/api/image-studio/templates/search", params={"q": "youtube thumbnail"}).json()
    assert search["items"][0]["id"] == "youtube-thumbnail"


def test_admin_grant_and_plan(user: StudioClient, admin: StudioClient):
    denied = user.post("/api/billing/grants", json={"user_id": user.user, "credits": 50, "reason": "support"})
    assert denied.status_code == 403
    granted = admin.post(
        "/api/billing/grants",
        json={"user_id": user.user, "credits": 50, "reason": "support", "grant_id": "ticket-1"},
    )
    assert granted.status_code == 200
    admin.post(
        "/api/billing/grants",
        json={"user_id": user.user, "credits": 50, "reason": "support", "grant_id": "ticket-1"},
    )
    assert user.balance()["available_credits"] == 250
    usage = user.get("/api/billing/usage").json()
    assert usage["quotas"]["images"] == {"limit": 10, "used": 0}


def test_metrics_and_health_on_every_service(stack):
    for service in stack.services:
        base = stack.url(service)
        assert httpx.get(f"{base}/healthz").json()["status"] == "alive"
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert httpx.get(f"{base}/metrics").status_code == 404  # only on the metrics port
        metrics = httpx.get(stack.metrics_url(service))
        assert metrics.headers["content-type"].startswith("text/plain")
        assert "# TYPE studio_events_handled_total counter" in metrics.text
        assert "# TYPE studio_events_published_total counter" in metrics.text
        assert "# TYPE studio_provider_seconds histogram" in metrics.text


def test_bad_token_is_401(gateway):
    assert httpx.get(f"{gateway}/api/billing/balance").status_code == 401
    bad = httpx.get(f"{gateway}/api/billing/balance", headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401 and "invalid token" in bad.json()["detail"]
