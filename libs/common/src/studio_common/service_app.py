"""A service's HTTP side: its FastAPI application started and stopped with its runtime, the operational
routes, database outages answered as 503, and the server that runs it."""

import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from studio_common import metrics, telemetry
from studio_common.bus.faults import is_transient
from studio_common.http_metrics import RequestTimer
from studio_common.reachability import ExitFlag, ExitRequested
from studio_common.settings import CommonSettings

if TYPE_CHECKING:
    from studio_common.runtime import ServiceRuntime

log = logging.getLogger(__name__)


def build(runtime: "ServiceRuntime", title: str, routers=()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        try:
            await runtime.start()
        except ExitRequested:  # stopped while waiting for a dependency: nothing started to stop
            log.info("%s stopped before it was started", runtime.name)
            yield
            return
        try:
            yield
        finally:
            await runtime.stop()

    tracing = telemetry.fastapi_telemetry(
        runtime.settings.otel_exporter_otlp_endpoint, runtime.settings.otel_span_file
    )
    app = FastAPI(title=title, lifespan=lifespan, telemetry=tracing)
    app.state.runtime = runtime
    for router in routers:
        app.include_router(router)
    _add_operational_routes(app, runtime)
    _answer_outages(app)
    app.add_middleware(RequestTimer)
    return app


def _answer_outages(app: FastAPI) -> None:
    """A database restarting is a 503 the client may retry, not a 500 (docs/architecture.md, "Faults")."""

    # SQLAlchemy wraps most driver errors in DBAPIError, but re-raises a refused connection as it came
    # (ConnectionRefusedError), and a full pool times out with its own error.
    @app.exception_handler(DBAPIError)
    @app.exception_handler(OSError)
    @app.exception_handler(PoolTimeout)
    async def database_error(_request, exc: Exception) -> JSONResponse:
        if is_transient(exc):
            log.warning("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
            return JSONResponse(
                {
                    "message": "the database is briefly unavailable; try again",
                    "detail": "database unavailable",
                },
                status_code=503,
                headers={"Retry-After": "2"},
            )
        log.error("database error", exc_info=exc)
        return JSONResponse({"message": "internal error", "detail": "internal error"}, status_code=500)


def _add_operational_routes(app: FastAPI, runtime: "ServiceRuntime") -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "alive", "service": runtime.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await runtime.ready()
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
        )


class _Server(uvicorn.Server):
    """Uvicorn, whose exit signal also reaches a start still waiting for a dependency (reachability.py):
    uvicorn itself only looks at the signal once the application has started."""

    def __init__(self, config: uvicorn.Config, exiting: ExitFlag) -> None:
        super().__init__(config)
        self.exiting = exiting

    def handle_exit(self, sig, frame) -> None:
        self.exiting.set()
        super().handle_exit(sig, frame)


def serve(app: FastAPI, settings: CommonSettings) -> None:
    metrics.serve_metrics(settings.http_host, settings.served_metrics_port)
    config = uvicorn.Config(
        app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False
    )
    _Server(config, app.state.runtime.exiting).run()
