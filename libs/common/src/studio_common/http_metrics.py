"""How long each service takes to answer, per route template and status: what ops teams graph first,
and what tells a slow server apart from a client waiting on its own side (scripts/bench_pipeline.py)."""

import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_SECONDS = Histogram(
    "studio_http_request_seconds",
    "Time from a request's arrival to its last response byte",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class RequestTimer:
    """Plain ASGI (no BaseHTTPMiddleware): one clock read at each end and one histogram update."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            route = scope.get("route")
            # The template, never the raw path: ids in paths would make a series per operation. Answers
            # given outside the routes (the web studio's files, unknown paths) share one series.
            template = getattr(route, "path", None) or "(no route)"
            HTTP_SECONDS.labels(scope["method"], template, str(status)).observe(time.perf_counter() - started)
