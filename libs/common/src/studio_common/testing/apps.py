"""Test tooling: run a service's FastAPI app (lifespan included) in-process and talk to it over ASGI."""

from contextlib import asynccontextmanager

import httpx


@asynccontextmanager
async def running(app, client_address: str = "127.0.0.1"):
    """`app` started, and a client calling it in process from `client_address`."""
    transport = httpx.ASGITransport(app=app, client=(client_address, 123))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://service") as client,
    ):
        yield client


def service_headers(
    app, caller: str = "gateway", user_id: str | None = None, scopes: tuple[str, ...] | None = None
) -> dict[str, str]:
    """A service token to call `app`'s internal API as `caller`: by default every scope its policy allows."""
    from studio_common.service_auth import ServiceTokens

    settings = app.state.runtime.settings
    tokens = ServiceTokens(settings.model_copy(update={"service_name": caller}))
    allowed = tuple(sorted(app.state.service_verifier.policy[caller]))
    return tokens.headers(settings.service_name, scopes or allowed, user_id)


def signed_as(
    app, caller: str = "gateway", user_id: str | None = None, scopes: tuple[str, ...] | None = None
):
    """httpx auth that gives every request a fresh `service_headers` token, so a long test outlives none;
    a request that brings its own token (another caller, another user) keeps it."""

    def sign(request):
        if "authorization" not in request.headers:
            request.headers.update(service_headers(app, caller, user_id, scopes))
        return request

    return sign
