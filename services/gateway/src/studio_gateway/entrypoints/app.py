"""Assembles the public gateway."""

from pathlib import Path

from fastapi import FastAPI
from studio_common.auth import TokenVerifier
from studio_common.runtime import ServiceRuntime
from studio_common.storage import make_storage

from studio_gateway.adapters.internal import InternalService
from studio_gateway.adapters.live import LiveHub
from studio_gateway.adapters.tables import metadata
from studio_gateway.entrypoints import (
    consumers,
    errors,
    routes_assets,
    routes_batches,
    routes_billing,
    routes_boards,
    routes_catalog,
    routes_collections,
    routes_create,
    routes_files,
    routes_operations,
    routes_personas,
    routes_social,
    routes_studio,
)
from studio_gateway.settings import GatewaySettings

ROUTERS = (routes_catalog.router, routes_create.router, routes_operations.router, routes_billing.router,
           routes_collections.router, routes_boards.router, routes_boards.public_router, routes_assets.router,
           routes_files.router, routes_studio.router, routes_social.router, routes_personas.router,
           routes_batches.router)


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    settings.check_production_safety()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    hub = LiveHub()
    consumers.register(runtime, hub)
    billing = InternalService(settings.billing_url, settings.internal_timeout_seconds, "billing")
    assets = InternalService(settings.assets_url, settings.internal_timeout_seconds, "assets")
    batch = InternalService(settings.batch_url, settings.internal_timeout_seconds, "batch")

    async def close_clients() -> None:
        await billing.aclose()
        await assets.aclose()
        await batch.aclose()

    runtime.on_shutdown(close_clients)
    app = runtime.app("Image Studio API", ROUTERS)
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings.jwt_secret, settings.jwt_jwks_url, settings.jwt_audience)
    app.state.storage = make_storage(settings)
    app.state.billing, app.state.assets, app.state.batch, app.state.live = billing, assets, batch, hub
    errors.install(app)
    return app
