"""Service identity for the internal APIs: short-lived HS256 tokens, each signed with the calling service's
own key (STUDIO_SERVICE_KEYS), whose audience is the called service, subject the caller, and scopes what the
call may do. A user-scoped call also carries the user the gateway authenticated (`user`): internal routes
take the user from there, never from the request's path, query or body.

The called service decides what each caller may ask for (`CallerPolicy`), so a worker's key can claim
holds and nothing else even if it signs a token with more scopes."""

import time
from dataclasses import dataclass
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from studio_common.auth import AuthError, KeptUntilExpiry, valid_subject
from studio_common.settings import CommonSettings

ISSUER = "studio-internal"
# Marks a refusal of the service token itself, as opposed to a route's own 401/403 (a board password).
REFUSAL = {"WWW-Authenticate": f'Bearer realm="{ISSUER}"'}
CallerPolicy = dict[str, frozenset[str]]  # caller service -> the scopes it may use
_REMEMBERED = 1024  # tokens kept issued or verified, per process; all forgotten at once when full


@dataclass(frozen=True, slots=True)
class ServiceCaller:
    service: str
    scopes: frozenset[str]
    user_id: str | None


class ServiceTokens:
    """Issues this service's tokens for calls to other services."""

    def __init__(self, settings: CommonSettings) -> None:
        self.caller = settings.service_name
        self.key = settings.service_key(self.caller)
        self.ttl = settings.service_token_ttl_seconds
        self._issued: KeptUntilExpiry[tuple, str] = KeptUntilExpiry(_REMEMBERED)

    def issue(self, audience: str, scopes: tuple[str, ...], user_id: str | None = None) -> str:
        """A token for the call; the same one again while at least half its life is left (a worker claims
        for every operation, and signing costs more than the rest of building the call)."""
        key = (audience, scopes, user_id)
        if (token := self._issued.known(key)) is not None:
            return token
        return self._issued.keep(key, self._sign(audience, scopes, user_id), time.time() + self.ttl / 2)

    def _sign(self, audience: str, scopes: tuple[str, ...], user_id: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": self.caller,
            "aud": audience,
            "iat": now,
            "exp": now + self.ttl,
            "scope": " ".join(scopes),
        }
        if user_id is not None:
            claims["user"] = user_id
        return jwt.encode(claims, self.key, algorithm="HS256")

    def headers(self, audience: str, scopes: tuple[str, ...], user_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issue(audience, scopes, user_id)}"}


class ServiceAuth(httpx.Auth):
    """httpx auth for a client that always makes the same kind of call (a worker's hold claims)."""

    def __init__(self, tokens: ServiceTokens, audience: str, scopes: tuple[str, ...]) -> None:
        self.tokens, self.audience, self.scopes = tokens, audience, scopes

    def auth_flow(self, request: httpx.Request):
        request.headers.update(self.tokens.headers(self.audience, self.scopes))
        yield request


class ServiceVerifier:
    """Checks tokens addressed to this service against the caller's key and this service's policy."""

    def __init__(self, settings: CommonSettings, policy: CallerPolicy) -> None:
        self.audience = settings.service_name
        self.policy = policy
        self.keys = {caller: settings.service_key(caller) for caller in policy}
        self._verified: KeptUntilExpiry[str, ServiceCaller] = KeptUntilExpiry(_REMEMBERED)

    def verify(self, token: str) -> ServiceCaller:
        """The caller a token names, checked once per token (`KeptUntilExpiry`): a worker's next claim
        carries the same one."""
        if (caller := self._verified.known(token)) is not None:
            return caller
        return self._verified.keep(token, *self._verify(token))

    def _verify(self, token: str) -> tuple[ServiceCaller, float]:
        try:
            caller = jwt.decode(token, options={"verify_signature": False}).get("sub")
            if caller not in self.keys:
                raise AuthError(f"unknown calling service {caller!r}")
            claims = jwt.decode(
                token,
                self.keys[caller],
                algorithms=["HS256"],
                audience=self.audience,
                issuer=ISSUER,
                options={"require": ["sub", "aud", "iss", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid service token: {exc}") from exc
        scopes = frozenset(str(claims.get("scope", "")).split()) & self.policy[caller]
        user = claims.get("user")
        return ServiceCaller(caller, scopes, valid_subject(user) if user is not None else None), claims["exp"]


_bearer = HTTPBearer(auto_error=False)
# The dependencies below are coroutines although they do not wait: FastAPI runs a plain function in its
# thread pool, and two thread hops per internal call (a worker's claim, at least once per operation) cost
# more CPU than the checks themselves.


async def _caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ServiceCaller:
    if credentials is None:
        raise HTTPException(401, "a service token is required", headers=REFUSAL)
    try:
        return request.app.state.service_verifier.verify(credentials.credentials)
    except AuthError as exc:
        raise HTTPException(401, str(exc), headers=REFUSAL) from exc


def require_scope(scope: str):
    """Dependency: a valid service token whose (allowed) scopes include `scope`."""

    async def check(caller: Annotated[ServiceCaller, Depends(_caller)]) -> ServiceCaller:
        if scope not in caller.scopes:
            raise HTTPException(403, f"the {caller.service} service may not use {scope}", headers=REFUSAL)
        return caller

    return Depends(check)


def require_user(scope: str):
    """Dependency: the user id the calling gateway authenticated, from its signed token."""

    async def check(caller: Annotated[ServiceCaller, require_scope(scope)]) -> str:
        if caller.user_id is None:
            raise HTTPException(401, "this call needs a service token naming the user", headers=REFUSAL)
        return caller.user_id

    return Depends(check)


def is_refusal(response: httpx.Response) -> bool:
    """Whether a called service refused the caller's service token (not the request)."""
    return response.headers.get("www-authenticate") == REFUSAL["WWW-Authenticate"]


def protect(app, settings: CommonSettings, policy: CallerPolicy) -> None:
    """Install the verifier that `require_scope` and `require_user` use."""
    app.state.service_verifier = ServiceVerifier(settings, policy)
