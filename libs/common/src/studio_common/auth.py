"""Bearer JWTs: HS256 with the shared secret, or RS256 keys from a JWKS URL. `sub` is the user id."""

import time
from dataclasses import dataclass

import jwt


class AuthError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    is_admin: bool = False


def issue_token(user_id: str, secret: str, admin: bool = False, ttl_seconds: int = 86400,
                audience: str | None = None) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "iat": now, "exp": now + ttl_seconds, "roles": ["admin"] if admin else []}
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenVerifier:
    def __init__(self, secret: str, jwks_url: str | None = None, audience: str | None = None) -> None:
        self.secret = secret
        self.audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") == "RS256" and self._jwks:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.audience,
                                    options={"verify_aud": bool(self.audience), "require": ["sub", "exp"]})
            else:
                claims = jwt.decode(token, self.secret, algorithms=["HS256"], audience=self.audience,
                                    options={"verify_aud": bool(self.audience), "require": ["sub", "exp"]})
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        roles = claims.get("roles") or []
        return Principal(user_id=str(claims["sub"]), is_admin="admin" in roles or claims.get("role") == "admin")
