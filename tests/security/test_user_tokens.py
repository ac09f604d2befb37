"""Findings 2 and 5, and the token checks that were already sound: in JWKS mode only the identity
provider's algorithms, issuer and audience count; roles are a list holding the app's own admin role;
subjects match the user id pattern; alg=none, expired and not-yet-valid tokens are refused."""

import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from studio_common.auth import AuthError, TokenVerifier, issue_token
from studio_common.settings import DEFAULT_JWT_SECRET
from studio_common.storage import input_key, output_key
from studio_common.testing.client import SECRET
from studio_providers.testing.server import serve_in_thread

ISSUER, AUDIENCE = "https://idp.example.test/", "image-studio"


@pytest.fixture(scope="module")
def idp():
    """A real JWKS endpoint over HTTP and the private key that signs its tokens."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    app = FastAPI()

    @app.get("/jwks.json")
    async def jwks() -> dict:
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    base_url, stop = serve_in_thread(app)
    yield key, f"{base_url}/jwks.json"
    stop()


def idp_token(key, **claims) -> str:
    base = {"sub": "idp-user", "exp": int(time.time()) + 60, "iss": ISSUER, "aud": AUDIENCE}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "k1"})


def test_jwks_mode_refuses_tokens_signed_with_the_shared_secret(idp):
    key, url = idp
    verifier = TokenVerifier(DEFAULT_JWT_SECRET, jwks_url=url, issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(idp_token(key)).user_id == "idp-user"
    forged = jwt.encode(
        {
            "sub": "victim",
            "exp": int(time.time()) + 60,
            "roles": ["studio-admin"],
            "iss": ISSUER,
            "aud": AUDIENCE,
        },
        DEFAULT_JWT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(AuthError):
        verifier.verify(forged)


def test_jwks_mode_needs_issuer_and_audience_and_checks_them(idp):
    key, url = idp
    with pytest.raises(ValueError, match="STUDIO_JWT_ISSUER"):
        TokenVerifier(DEFAULT_JWT_SECRET, jwks_url=url)
    with pytest.raises(ValueError, match="asymmetric"):
        TokenVerifier(DEFAULT_JWT_SECRET, jwks_url=url, issuer=ISSUER, audience=AUDIENCE, algorithms="HS256")
    verifier = TokenVerifier(DEFAULT_JWT_SECRET, jwks_url=url, issuer=ISSUER, audience=AUDIENCE)
    for wrong in ({"iss": "https://evil.test/"}, {"aud": "another-app"}):
        with pytest.raises(AuthError):
            verifier.verify(idp_token(key, **wrong))


def test_the_gateway_refuses_to_start_in_jwks_mode_without_issuer_and_audience(tmp_path):
    from studio_gateway.entrypoints.app import create_app
    from studio_gateway.settings import GatewaySettings

    settings = GatewaySettings(jwt_jwks_url="https://idp.example.test/jwks.json", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="STUDIO_JWT_AUDIENCE"):
        create_app(settings)


@pytest.mark.parametrize("roles", ["sysadmin", "studio-admin", {"studio-admin": True}, [["studio-admin"]]])
def test_roles_must_be_a_list_of_names(roles):
    claims = {"sub": "ann", "exp": int(time.time()) + 60, "roles": roles}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(AuthError, match="roles"):
        TokenVerifier(SECRET).verify(token)


def test_the_admin_role_is_the_apps_own_name():
    def roles(*names):
        return jwt.encode({"sub": "ann", "exp": int(time.time()) + 60, "roles": list(names)}, SECRET)

    verifier = TokenVerifier(SECRET)
    assert not verifier.verify(roles("admin")).is_admin
    assert not verifier.verify(roles("sysadmin", "studio-admin-x")).is_admin
    assert verifier.verify(roles("editor", "studio-admin")).is_admin
    assert TokenVerifier(SECRET, admin_role="ops").verify(roles("ops")).is_admin


@pytest.mark.parametrize(
    "subject",
    [
        "evil/../user-1",
        "mallory/balance#",
        "",
        "a b",
        "-x",
        ".hidden",
        "x" * 129,
        "user?x=1",
        "user%2f",
        "line\nbreak",
    ],
)
def test_subjects_outside_the_pattern_are_refused(subject):
    with pytest.raises(AuthError, match="subject"):
        TokenVerifier(SECRET).verify(issue_token(subject, SECRET))


def test_non_string_subjects_are_refused():
    token = jwt.encode({"sub": 42, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    with pytest.raises(AuthError):
        TokenVerifier(SECRET).verify(token)


@pytest.mark.parametrize(
    "subject", ["user-1", "auth0|5f7c8ec7c33c6c004bbafe82", "google-oauth2:1093", "ann@example.com"]
)
def test_identity_provider_subjects_are_accepted(subject):
    assert TokenVerifier(SECRET).verify(issue_token(subject, SECRET)).user_id == subject


def test_storage_keys_encode_the_user_id():
    assert "/../" not in input_key("a/../b", b"x", "image/png")
    assert output_key("a/../b", "op", 0, "image/png").startswith("users/a%2F..%2Fb/")
    assert input_key("user-1", b"x", "image/png").startswith("users/user-1/inputs/")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 10},
        {"exp": int(time.time()) + 600, "nbf": int(time.time()) + 300},
    ],
)
def test_expired_and_not_yet_valid_tokens_are_refused(claims):
    with pytest.raises(AuthError):
        TokenVerifier(SECRET).verify(jwt.encode({"sub": "ann", **claims}, SECRET, algorithm="HS256"))


def test_alg_none_is_refused(idp):
    unsigned = jwt.encode(
        {"sub": "ann", "exp": int(time.time()) + 60, "roles": ["studio-admin"]}, None, algorithm="none"
    )
    with pytest.raises(AuthError):
        TokenVerifier(SECRET).verify(unsigned)
    _, url = idp
    with pytest.raises(AuthError):
        TokenVerifier(SECRET, jwks_url=url, issuer=ISSUER, audience=AUDIENCE).verify(unsigned)


@pytest.mark.parametrize("subject", ["evil/../user-1", "mallory/balance#", ""])
def test_the_gateway_answers_401_to_a_bad_subject(gateway, subject):
    headers = {"Authorization": f"Bearer {issue_token(subject, SECRET)}"}
    response = httpx.get(f"{gateway}/api/billing/balance", headers=headers)
    assert response.status_code == 401, response.text


def test_download_links_are_not_signed_with_the_jwt_secret(user, gateway):
    """A URL signed with the user-token secret (the old signing key) is refused; the issued one works."""
    from studio_common.storage import _sign

    op = user.wait(user.create(prompt="a lighthouse", width=128, height=128))
    url = user.get(f"/api/content-assets/{op['outputs'][0]['asset_id']}/download").json()["url"]
    assert httpx.get(url).status_code == 200
    key = httpx.URL(url).path.removeprefix("/api/files/")
    expires = int(time.time()) + 60
    forged = f"{gateway}/api/files/{key}?expires={expires}&signature={_sign(SECRET, key, expires)}"
    assert httpx.get(forged).status_code == 403


async def test_the_gateway_in_jwks_mode_accepts_only_the_identity_providers_tokens(idp, bus_names, tmp_path):
    from studio_common.testing.apps import running
    from studio_gateway.entrypoints.app import create_app
    from studio_gateway.settings import GatewaySettings

    key, url = idp
    settings = GatewaySettings(
        _env_file=None,
        data_dir=str(tmp_path),
        storage_dir=str(tmp_path / "s"),
        jwt_jwks_url=url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **bus_names,
    )
    async with running(create_app(settings)) as client:

        def get(token: str):
            return client.get("/api/image-studio/operations", headers={"Authorization": f"Bearer {token}"})

        assert (await get(idp_token(key))).status_code == 200
        forged = jwt.encode(
            {
                "sub": "idp-user",
                "exp": int(time.time()) + 60,
                "iss": ISSUER,
                "aud": AUDIENCE,
                "roles": ["studio-admin"],
            },
            DEFAULT_JWT_SECRET,
            algorithm="HS256",
        )
        assert (await get(forged)).status_code == 401
        assert (await get(idp_token(key, roles=["admin"]))).status_code == 200
        grant = {"user_id": "idp-user", "credits": 5, "reason": "x"}
        named_admin = {"Authorization": f"Bearer {idp_token(key, roles=['admin'])}"}
        admin_by_name = await client.post("/api/billing/grants", json=grant, headers=named_admin)
        assert admin_by_name.status_code == 403  # "admin" is not the app's admin role


def test_the_token_command_still_issues_admin_tokens(capsys, monkeypatch):
    from studio_gateway.cli import main

    monkeypatch.setenv("STUDIO_JWT_SECRET", SECRET)
    main(["token", "--user", "ops-1", "--admin"])
    admin = TokenVerifier(SECRET).verify(capsys.readouterr().out.strip())
    main(["token", "--user", "ann"])
    plain = TokenVerifier(SECRET).verify(capsys.readouterr().out.strip())
    assert (admin.user_id, admin.is_admin, plain.is_admin) == ("ops-1", True, False)
