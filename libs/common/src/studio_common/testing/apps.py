"""Test tooling: run a service's FastAPI app (lifespan included) in-process and talk to it over ASGI."""

from contextlib import asynccontextmanager

import httpx


@asynccontextmanager
async def running(app):
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
            yield client
