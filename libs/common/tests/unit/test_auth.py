"""Bearer tokens: HS256 with the shared secret, RS256 from a JWKS URL; bad tokens are refused."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from studio_common.auth import AuthError, TokenVerifier, issue_token
from studio_common.settings import DEFAULT_JWT_SECRET
from studio_providers.testing.server import serve_in_thread

SECRET = "s" * 40


def test_hs256_round_trip_and_roles():
    verifier = TokenVerifier(SECRET)
    assert verifier.verify(issue_token("ann", SECRET)).user_id == "ann"
    assert verifier.verify(issue_token("root", SECRET, admin=True)).is_admin
    assert not verifier.verify(issue_token("ann", SECRET)).is_admin


def test_a_token_is_checked_once_and_answered_again_until_it_expires():
    verifier = TokenVerifier(SECRET)
    now = int(time.time())
    token = jwt.encode({"sub": "ann", "iat": now, "exp": now + 1}, SECRET, algorithm="HS256")
    assert verifier.known(token) is None
    first = verifier.verify(token)
    assert verifier.known(token) is first and verifier.verify(token) is first
    time.sleep(now + 1.05 - time.time())
    assert verifier.known(token) is None
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        issue_token("ann", "another-secret-" + "x" * 30),
        issue_token("ann", SECRET, ttl_seconds=-10),
        jwt.encode({"exp": int(time.time()) + 60}, SECRET, algorithm="HS256"),  # no sub
    ],
)
def test_bad_tokens_are_refused(token):
    with pytest.raises(AuthError):
        TokenVerifier(SECRET).verify(token)


def test_rs256_tokens_are_checked_against_the_jwks():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    app = FastAPI()

    @app.get("/jwks.json")
    async def jwks() -> dict:
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    base_url, stop = serve_in_thread(app)
    try:
        verifier = TokenVerifier(
            SECRET, jwks_url=f"{base_url}/jwks.json", issuer="https://idp", audience="studio"
        )
        claims = {
            "sub": "idp-user",
            "exp": int(time.time()) + 60,
            "roles": ["studio-admin"],
            "iss": "https://idp",
            "aud": "studio",
        }
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        principal = verifier.verify(token)
        assert (principal.user_id, principal.is_admin) == ("idp-user", True)
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
        with pytest.raises(AuthError):
            verifier.verify(forged)
    finally:
        stop()


def test_production_refuses_the_default_secret():
    from studio_gateway.settings import GatewaySettings

    with pytest.raises(RuntimeError, match="STUDIO_JWT_SECRET"):
        GatewaySettings(environment="production", jwt_secret=DEFAULT_JWT_SECRET).check_production_safety()
    GatewaySettings(
        environment="production",
        jwt_secret="Zq8vL2-pX9rT4wK7mN1bC6yH3jF0dS5a",
        download_url_secret="aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI",
    ).check_production_safety()
