"""Bearer JWTs for users: HS256 with the shared secret, or, when a JWKS URL is set, only the identity
provider's own (asymmetric) algorithms with its issuer and audience. `sub` is the user id; it ends up in
storage keys and internal requests, so anything outside the subject pattern is refused."""

import re
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

import jwt

# Letters, digits and the punctuation identity providers use in subjects (auth0|…, google-oauth2|…,
# urn:…); never a slash, a dot first, whitespace, `#`, `?` or `%`.
SUBJECT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+|:=-]{0,127}$")
SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})
DEFAULT_ADMIN_ROLE = "studio-admin"


class AuthError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    is_admin: bool = False


def valid_subject(subject: object) -> str:
    if not isinstance(subject, str) or not SUBJECT_PATTERN.fullmatch(subject):
        raise AuthError("invalid token: the subject is not a valid user id")
    return subject


def issue_token(
    user_id: str,
    secret: str,
    admin: bool = False,
    ttl_seconds: int = 86400,
    audience: str | None = None,
    admin_role: str = DEFAULT_ADMIN_ROLE,
    issuer: str | None = None,
) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "iat": now, "exp": now + ttl_seconds, "roles": [admin_role] if admin else []}
    if audience:
        claims["aud"] = audience
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")


def _roles(claims: dict) -> list[str]:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise AuthError("invalid token: roles must be a list of names")
    return roles


Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer")


class KeptUntilExpiry(Generic[Key, Answer]):
    """Answers kept, each until its own expiry: what a token already checked was found to say (a client
    sends the same token with request after request, and checking a signature costs more than answering
    many a request), or a token already signed for the same kind of call. Bounded: all forgotten at once
    when `limit` are kept."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._answers: dict[Key, tuple[Answer, float]] = {}

    def known(self, key: Key) -> Answer | None:
        kept = self._answers.get(key)
        return kept[0] if kept is not None and time.time() < kept[1] else None

    def keep(self, key: Key, answer: Answer, expires: float) -> Answer:
        if len(self._answers) >= self.limit:
            self._answers.clear()
        self._answers[key] = (answer, expires)
        return answer


class TokenVerifier:
    """JWKS mode (an identity provider) or shared-secret mode (HS256), never both: with a JWKS URL a token
    signed with the shared secret is refused, whatever its header says."""

    def __init__(
        self,
        secret: str,
        jwks_url: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        admin_role: str = DEFAULT_ADMIN_ROLE,
        algorithms: str | list[str] = "RS256",
    ) -> None:
        self.admin_role = admin_role
        self.audience, self.issuer = audience, issuer
        if jwks_url:
            self.algorithms = _asymmetric(algorithms)
            if not (issuer and audience):
                raise ValueError(
                    "with STUDIO_JWT_JWKS_URL, STUDIO_JWT_ISSUER and STUDIO_JWT_AUDIENCE are required"
                )
            self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True)
        else:
            self.algorithms = ["HS256"]
            self._jwks = None
        self.secret = secret
        self._verified: KeptUntilExpiry[str, Principal] = KeptUntilExpiry()

    @property
    def fetches_keys(self) -> bool:
        """Whether verifying may fetch the identity provider's keys over the network (blocking I/O)."""
        return self._jwks is not None

    @classmethod
    def from_settings(cls, settings) -> "TokenVerifier":
        return cls(
            settings.jwt_secret,
            settings.jwt_jwks_url,
            settings.jwt_audience,
            settings.jwt_issuer,
            settings.admin_role,
            settings.jwt_algorithms,
        )

    def known(self, token: str) -> Principal | None:
        """The caller of a token verified before and not expired since; None if it needs checking."""
        return self._verified.known(token)

    def verify(self, token: str) -> Principal:
        if (principal := self.known(token)) is not None:
            return principal
        required = ["sub", "exp"] + (["iss", "aud"] if self._jwks else [])
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self.secret
            options = {"verify_aud": bool(self.audience), "require": required}
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options=options,
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        principal = Principal(
            user_id=valid_subject(claims["sub"]), is_admin=self.admin_role in _roles(claims)
        )
        return self._verified.keep(token, principal, claims["exp"])


def _asymmetric(algorithms: str | list[str]) -> list[str]:
    names = [a.strip() for a in algorithms.split(",")] if isinstance(algorithms, str) else list(algorithms)
    names = [name for name in names if name]
    if not names or SYMMETRIC & set(names) or "none" in {n.lower() for n in names}:
        raise ValueError("STUDIO_JWT_ALGORITHMS must name the identity provider's asymmetric algorithms")
    return names
