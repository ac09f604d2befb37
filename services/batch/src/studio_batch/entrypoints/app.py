"""Assembles the batch service: database, the operation-event consumer, the window and the internal API."""

from pathlib import Path

from fastapi import FastAPI

from studio_batch.adapters.billing import BillingClient
from studio_batch.adapters.tables import metadata
from studio_batch.entrypoints import callers, consumers, routes_batches, routes_schedules
from studio_batch.service_layer import runs
from studio_batch.settings import BatchSettings
from studio_common.runtime import ServiceRuntime
from studio_common.service_auth import ServiceAuth, ServiceTokens, protect

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: BatchSettings | None = None, billing: BillingClient | None = None) -> FastAPI:
    """`billing` replaces the HTTP client of billing's internal API (tests run billing in-process)."""
    settings = settings or BatchSettings()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    billing = billing or BillingClient(
        settings.billing_url,
        settings.internal_timeout_seconds,
        auth=ServiceAuth(ServiceTokens(settings), "billing", ("batch-holds",)),
    )
    consumers.register(runtime, billing)
    runtime.on_shutdown(billing.aclose)
    app = runtime.app("Image Studio batch (internal)", [routes_batches.router])
    protect(app, settings, callers.POLICY)
    app.state.settings = settings
    app.state.billing = billing
    routes_schedules.install(app, runtime, settings, runs.start_run)
    return app
