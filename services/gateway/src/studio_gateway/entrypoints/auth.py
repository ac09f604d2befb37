"""Bearer authentication for the public API."""

import asyncio
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from studio_common.auth import AuthError, Principal
from studio_gateway.entrypoints.guards import too_many

_bearer = HTTPBearer(auto_error=False)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def current_user(request: Request, credentials: Credentials) -> Principal:
    """The verified caller, within the per-user rate limit (429 with Retry-After beyond it)."""
    if credentials is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    try:
        verifier, token = request.app.state.verifier, credentials.credentials
        user = verifier.known(token)  # checked before and not expired: no signature, no thread hop
        if user is None and verifier.fetches_keys:  # an unknown key id fetches the JWKS: not on the loop
            user = await asyncio.to_thread(verifier.verify, token)
        elif user is None:
            user = verifier.verify(token)
    except AuthError as exc:
        invalid = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        raise HTTPException(401, str(exc), headers=invalid) from exc
    if refusal := await request.app.state.rate_limits.hit_user(user.user_id):
        raise too_many(refusal)
    return user


async def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not user.is_admin:
        raise HTTPException(403, "this needs the admin role")
    return user


User = Annotated[Principal, Depends(current_user)]
Admin = Annotated[Principal, Depends(admin_user)]
