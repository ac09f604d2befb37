"""The gateway serves the studio bundle and offline API docs, with a strict CSP, and offers the development
sign-in only outside production."""

import re

import pytest
from fastapi.testclient import TestClient

from studio_gateway.entrypoints.app import create_app
from studio_gateway.settings import GatewaySettings

PRIVATE_SECRET = "a-private-secret-for-production-tests-0123456789"
# Production also needs its own key for download links and sealed board links.
PRODUCTION = {
    "environment": "production",
    "jwt_secret": PRIVATE_SECRET,
    "download_url_secret": "another-private-secret-for-download-links-98765",
    "service_keys": {"gateway": "the-gateways-own-private-service-key-ABCDEFGH"},
}


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><div id="root"></div><script src="/assets/app-1.js"></script>'
    )
    (tmp_path / "assets" / "app-1.js").write_text("console.log('studio');\n" * 200)
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def client(**settings) -> TestClient:
    # No `with`: the lifespan (broker, database) is not needed for these routes.
    return TestClient(create_app(GatewaySettings(**settings)))


def test_bundle_at_root_and_client_routes_fall_back_to_index(dist):
    c = client(web_dist_dir=str(dist))
    for path in ("/", "/create", "/library/collections/c-1", "/shared/token-1"):
        answer = c.get(path)
        assert answer.status_code == 200, path
        assert '<div id="root">' in answer.text
        assert answer.headers["cache-control"] == "no-cache"
    asset = c.get("/assets/app-1.js", headers={"Accept-Encoding": "gzip"})
    assert asset.text == "console.log('studio');\n" * 200
    assert asset.headers["content-encoding"] == "gzip"
    assert "immutable" in asset.headers["cache-control"]
    assert c.get("/favicon.svg").text == "<svg/>"


def test_api_paths_keep_their_own_errors(dist):
    c = client(web_dist_dir=str(dist))
    assert c.get("/api/no-such-thing").json() == {"detail": "Not Found"}
    assert c.post("/api/no-such-thing").status_code == 404
    assert c.get("/assets/missing.js").status_code == 404
    assert c.get("/api/billing/balance").status_code == 401
    outside = c.get("/../pyproject.toml")  # never a file outside the bundle
    assert outside.status_code == 404 and "workspace" not in outside.text
    assert c.get("/etc/passwd").status_code == 404  # not a studio route: no index.html for it either


def test_without_a_bundle_the_api_still_works(tmp_path):
    c = client(web_dist_dir=str(tmp_path / "missing"))
    answer = c.get("/")
    assert answer.status_code == 404 and "npm run build" in answer.json()["detail"]
    assert c.get("/api/image-studio/templates").status_code == 200


def test_every_response_carries_a_strict_content_security_policy(dist):
    c = client(web_dist_dir=str(dist))
    for path in ("/", "/api/image-studio/templates", "/docs", "/api/no-such-thing"):
        policy = c.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_policy_allows_the_oidc_issuer_and_the_file_origin():
    c = client(
        oidc_issuer="https://id.example.com/realms/studio",
        oidc_client_id="studio",
        public_base_url="https://files.example.com/base",
    )
    policy = c.get("/api/studio-config").headers["content-security-policy"]
    assert re.search(r"connect-src 'self' https://files\.example\.com https://id\.example\.com;", policy)
    assert "img-src 'self' blob: data: https://files.example.com;" in policy


def test_docs_are_served_without_any_cdn():
    c = client()
    page = c.get("/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/docs/") for s in sources)
    assert "<script>" not in page  # no inline script: the CSP would block it
    for source in sources:
        assert c.get(source).status_code == 200, source
    assert "SwaggerUIBundle" in c.get("/docs/assets/swagger-ui-bundle.js").text


def test_development_token_endpoint_signs_in_any_plain_user_name():
    c = client(environment="development")
    token = c.post("/api/dev/token", json={"user_name": "alice"}).json()["access_token"]
    templates = c.get("/api/image-studio/templates", headers={"Authorization": f"Bearer {token}"})
    assert templates.status_code == 200
    bad = c.post("/api/dev/token", json={"user_name": "al ice"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "user_name"
    assert c.get("/api/studio-config").json() == {
        "environment": "development",
        "sign_in": "development",
        "oidc": None,
    }


def test_production_has_no_development_token_endpoint_and_signs_in_with_oidc():
    c = client(
        **PRODUCTION, oidc_issuer="https://id.example.com", oidc_client_id="studio-web", jwt_audience="studio"
    )
    assert c.post("/api/dev/token", json={"user_name": "alice"}).status_code == 404
    assert "/api/dev/token" not in c.get("/openapi.json").json()["paths"]
    assert c.get("/api/studio-config").json() == {
        "environment": "production",
        "sign_in": "oidc",
        "oidc": {
            "issuer": "https://id.example.com",
            "client_id": "studio-web",
            "scope": "openid profile email",
            "audience": "studio",
        },
    }


def test_production_without_an_issuer_says_sign_in_is_not_configured():
    answer = client(**PRODUCTION).get("/api/studio-config")
    assert answer.status_code == 503
    assert "STUDIO_OIDC_ISSUER" in answer.json()["detail"]


def test_every_studio_upload_endpoint_describes_its_body():
    paths = client().get("/openapi.json").json()["paths"]
    uploads = [
        "/api/image-studio/edit/process",
        "/api/image-studio/upscale",
        "/api/image-studio/control/process",
        "/api/image-studio/transform/image-to-video",
        "/api/image-studio/transform/talking-avatar",
        "/api/image-studio/transform/image-to-3d",
        "/api/image-studio/social/optimize",
    ]
    for path in uploads:
        body = paths[path]["post"]["requestBody"]["content"]
        form = body["multipart/form-data"]["schema"]
        assert form["properties"]["image"]["format"] == "binary"
        assert form["properties"]["image"]["description"].startswith(
            "the image to work on (PNG, JPEG or WebP)"
        )
        assert "image_asset_id" in form["properties"]
        json_variants = body["application/json"]["schema"].get("oneOf", [body["application/json"]["schema"]])
        assert all(
            "image" not in v["properties"] and "image_asset_id" in v["properties"] for v in json_variants
        )
        assert "202" in paths[path]["post"]["responses"]
    edit = paths["/api/image-studio/edit/process"]["post"]["requestBody"]["content"]
    form = edit["multipart/form-data"]["schema"]
    assert form["required"] == ["operation"] and "inpaint" in form["properties"]["operation"]["enum"]
    assert form["properties"]["mask"]["format"] == "binary"
    assert "inpaint" in form["properties"]["mask"]["description"]
    assert {v.get("maximum") for v in form["properties"]["grow_mask"]["anyOf"]} == {20, 100}
    inpaint = next(
        v
        for v in edit["application/json"]["schema"]["oneOf"]
        if v["properties"]["operation"]["enum"] == ["inpaint"]
    )
    assert inpaint["required"] == ["operation", "prompt"]
    assert inpaint["properties"]["grow_mask"]["maximum"] == 100
    video = paths["/api/image-studio/transform/image-to-video"]["post"]["requestBody"]["content"]
    assert video["multipart/form-data"]["schema"]["properties"]["audio"]["format"] == "binary"
    social = paths["/api/image-studio/social/optimize"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]
    assert social["schema"]["properties"]["formats"]["type"] == "array"
