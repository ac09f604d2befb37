"""Assembles the assets service: database, the operation.completed consumer and the internal API."""

from pathlib import Path

from fastapi import FastAPI

from studio_assets.adapters.tables import metadata
from studio_assets.entrypoints import callers, consumers, routes_assets, routes_boards, routes_collections
from studio_assets.settings import AssetsSettings
from studio_common.runtime import ServiceRuntime
from studio_common.service_auth import protect

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: AssetsSettings | None = None) -> FastAPI:
    settings = settings or AssetsSettings()
    settings.check_production_safety()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    consumers.register(runtime)
    routers = [routes_assets.router, routes_collections.router, routes_boards.router]
    app = runtime.app("Image Studio assets (internal)", routers)
    protect(app, settings, callers.POLICY)
    return app
