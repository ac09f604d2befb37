"""Production sign-in: OpenID Connect authorization code + PKCE against the configured issuer, whose
JWKS the gateway verifies; no development token endpoint; the token stays in memory."""

import re
import threading
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect

from studio_common.testing.oidc import OidcIssuer
from studio_common.testing.stacks import isolated_stack

PRODUCTION_SECRET = "browser-production-secret-" + "p" * 32


def production_secrets() -> dict[str, str]:
    """Every secret a production start insists on: private, long and distinct (studio_common.secrets)."""
    import json
    import secrets

    services = ("gateway", "billing", "assets", "generation", "editing", "transform", "batch")
    return {
        "STUDIO_SERVICE_KEYS": json.dumps({name: secrets.token_hex(32) for name in services}),
        "STUDIO_DOWNLOAD_URL_SECRET": secrets.token_hex(32),
        "STUDIO_JWT_SECRET": secrets.token_hex(32),
    }


@pytest.fixture(scope="module")
def production(tmp_path_factory, amqp_url, studio_bundle, browser):
    with ExitStack() as stack:
        issuer = stack.enter_context(
            OidcIssuer(user="oidc-user", client_id="studio-web", audience="image-studio")
        )
        env = {
            "STUDIO_ENVIRONMENT": "production",
            "STUDIO_WEB_DIST_DIR": str(studio_bundle),
            "STUDIO_JWT_JWKS_URL": f"{issuer.url}/jwks",
            "STUDIO_JWT_AUDIENCE": "image-studio",
            "STUDIO_JWT_ISSUER": issuer.url,
            "STUDIO_OIDC_ISSUER": issuer.url,
            "STUDIO_OIDC_CLIENT_ID": "studio-web",
            **production_secrets(),
        }
        services = stack.enter_context(
            isolated_stack(
                tmp_path_factory.mktemp("browser-production"), "browser-prod", PRODUCTION_SECRET, env
            )
        )
        yield services.url("gateway"), issuer
        # Playwright's event loop runs on this thread; the stack's broker clean-up needs one of its own.
        closer = threading.Thread(target=stack.close)
        closer.start()
        closer.join()


def test_sign_in_with_oidc_code_and_pkce(browser, production, shot):
    gateway, issuer = production
    context = browser.new_context(base_url=gateway, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Faccount$"))
    expect(page.get_by_label("User name")).to_have_count(0)  # no development sign-in in production
    shot(page, "signin-oidc")
    page.get_by_role("button", name="Continue to sign in").click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("account-available")).to_have_text(re.compile(r"^\d+$"))
    assert page.get_by_role("button", name="Sign out oidc-user").is_visible()

    (exchange,) = issuer.token_requests
    assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
    storage = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert "eyJ" not in storage, "a token was written to web storage"
    assert page.request.post("/api/dev/token", data={"user_name": "x"}).status == 404
    assert not csp, csp
    context.close()
