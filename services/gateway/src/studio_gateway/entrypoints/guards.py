"""What the gateway checks before a route runs, and the headers on every answer: the request body's size
(413 as soon as it is known to be too large, before the rest is received) and the caller's address against
its rate limit (429 with Retry-After). The per-user limit is checked once the bearer token is verified
(entrypoints/auth.py)."""

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio_gateway.adapters.rate_limits import RateLimits, Refusal

UNLIMITED_PATHS = ("/healthz", "/readyz")  # probes
# On every answer: browsers must not guess a type other than the one declared (a "PNG" that sniffs as
# HTML), and nothing here is meant to be framed.
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the {limit} byte limit")


def too_many(refusal: Refusal) -> HTTPException:
    return HTTPException(
        429,
        f"too many requests from this {refusal.scope} (limit {refusal.limit}); "
        f"retry after {refusal.retry_after} s",
        headers={"Retry-After": str(refusal.retry_after)},
    )


def client_address(scope: Scope, trusted_proxy_hops: int) -> str:
    """The caller's address: the socket peer, or with N trusted proxies in front, the address the
    outermost of them saw (N-th from the right in X-Forwarded-For)."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if trusted_proxy_hops <= 0:
        return peer
    forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-for", b"").decode("latin-1")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-trusted_proxy_hops] if len(hops) >= trusted_proxy_hops else peer


class Guards:
    """ASGI middleware: the body cap and the per-address rate limit, for every HTTP request."""

    def __init__(
        self, app: ASGIApp, limits: RateLimits, max_body_bytes: int, trusted_proxy_hops: int
    ) -> None:
        self.app, self.limits = app, limits
        self.max_body_bytes, self.trusted_proxy_hops = max_body_bytes, trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = (
            None
            if scope["path"] in UNLIMITED_PATHS
            else await self.limits.hit_ip(client_address(scope, self.trusted_proxy_hops))
        )
        if refusal is not None:
            await _answer(send, 429, str(too_many(refusal).detail), {"retry-after": str(refusal.retry_after)})
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _answer(send, 413, BodyTooLarge(self.max_body_bytes).detail)
            return
        await self._capped(scope, receive, send)

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without a (truthful) length is counted as it arrives and cut off at the cap."""
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:  # read outside the routes' exception handling
            if not started:
                await _answer(send, 413, exc.detail)


async def _answer(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"message": message, "detail": message}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *SECURITY_HEADERS,
    ]
    raw += [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
