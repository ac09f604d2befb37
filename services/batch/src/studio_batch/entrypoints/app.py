"""Assembles the batch service: database, the operation-event consumer, the window and the internal API."""

from pathlib import Path

from fastapi import FastAPI
from studio_common.runtime import ServiceRuntime

from studio_batch.adapters.tables import metadata
from studio_batch.entrypoints import api, consumers
from studio_batch.settings import BatchSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: BatchSettings | None = None) -> FastAPI:
    settings = settings or BatchSettings()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    consumers.register(runtime)
    app = runtime.app("Image Studio batch (internal)", [api.router])
    app.state.settings = settings
    return app
