"""Service tokens are signed and checked once and then reused, never past their life: a worker's claim
for every operation neither signs nor verifies a fresh token each time."""

import time

import jwt
import pytest

from studio_common.auth import AuthError
from studio_common.service_auth import ServiceTokens, ServiceVerifier
from studio_common.settings import CommonSettings

POLICY = {"generation": frozenset({"holds:claim"})}


def tokens_and_verifier() -> tuple[ServiceTokens, ServiceVerifier]:
    tokens = ServiceTokens(CommonSettings(service_name="generation", service_token_ttl_seconds=60))
    return tokens, ServiceVerifier(CommonSettings(service_name="billing"), POLICY)


def test_a_token_is_reused_while_half_its_life_is_left(monkeypatch):
    tokens, _ = tokens_and_verifier()
    now = time.time()
    first = tokens.issue("billing", ("holds:claim",))
    assert tokens.issue("billing", ("holds:claim",)) == first
    assert tokens.issue("billing", ("holds:claim",), user_id="ana") != first  # another kind of call
    monkeypatch.setattr(time, "time", lambda: now + 31)
    assert tokens.issue("billing", ("holds:claim",)) != first


def test_a_verified_token_is_answered_again_until_it_expires():
    _, verifier = tokens_and_verifier()
    now = int(time.time())
    claims = {"iss": "studio-internal", "sub": "generation", "aud": "billing", "iat": now, "exp": now + 1}
    key = CommonSettings(service_name="generation").service_key("generation")
    token = jwt.encode({**claims, "scope": "holds:claim accounts:grant"}, key, algorithm="HS256")
    caller = verifier.verify(token)
    assert caller.service == "generation" and caller.scopes == {"holds:claim"}  # the policy's cut
    assert verifier.verify(token) is caller
    time.sleep(now + 1.05 - time.time())
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)


def test_a_refused_token_stays_refused():
    tokens, verifier = tokens_and_verifier()
    forged = tokens.issue("billing", ("holds:claim",))[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(AuthError, match="invalid service token"):
            verifier.verify(forged)
