"""Assembles the public gateway."""

from pathlib import Path

from fastapi import FastAPI

from studio_common.auth import TokenVerifier
from studio_common.runtime import ServiceRuntime
from studio_common.service_auth import ServiceTokens
from studio_common.storage import make_storage
from studio_gateway.adapters.assets_client import AssetsClient
from studio_gateway.adapters.batch_client import BatchClient
from studio_gateway.adapters.billing_client import BillingClient
from studio_gateway.adapters.live import LiveHub
from studio_gateway.adapters.rate_limits import RateLimits
from studio_gateway.adapters.tables import metadata
from studio_gateway.domain.sealed_links import SealedLinks
from studio_gateway.entrypoints import (
    consumers,
    errors,
    guards,
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
    routes_web,
    web,
)
from studio_gateway.service_layer.submissions import Submissions
from studio_gateway.settings import GatewaySettings

ROUTERS = (
    routes_catalog.router,
    routes_create.router,
    routes_operations.router,
    routes_billing.router,
    routes_collections.router,
    routes_boards.router,
    routes_boards.public_router,
    routes_assets.router,
    routes_files.router,
    routes_studio.router,
    routes_social.router,
    routes_personas.router,
    routes_web.config_router,
    routes_batches.router,
)


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    settings.check_production_safety()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    hub = LiveHub()
    consumers.register(runtime, hub)
    verifier = TokenVerifier.from_settings(settings)
    tokens = ServiceTokens(settings)
    timeout = settings.internal_timeout_seconds
    billing = BillingClient(settings.billing_url, timeout, "billing", tokens)
    assets = AssetsClient(settings.assets_url, timeout, "assets", tokens)
    limits = RateLimits(
        settings.rate_limit_per_user, settings.rate_limit_per_ip, settings.rate_limit_redis_url
    )
    batch = BatchClient(settings.batch_url, timeout, "batch", tokens)

    async def close_clients() -> None:
        await billing.aclose()
        await assets.aclose()
        await limits.aclose()
        await batch.aclose()

    runtime.on_shutdown(close_clients)
    routers = ROUTERS if routes_web.is_production(settings) else (*ROUTERS, routes_web.dev_router)
    app = runtime.app("Image Studio API", routers)
    app.state.settings = settings
    app.state.verifier = verifier
    app.state.storage = make_storage(settings)
    app.state.billing, app.state.assets, app.state.batch, app.state.live = billing, assets, batch, hub
    app.state.rate_limits = limits
    app.state.submissions = Submissions(runtime)
    app.state.shared_links = SealedLinks(settings.download_url_secret)
    app.add_middleware(
        guards.Guards,
        limits=limits,
        max_body_bytes=settings.max_request_bytes,
        trusted_proxy_hops=settings.trusted_proxy_hops,
    )
    errors.install(app)
    web.install(app, settings)
    return app
