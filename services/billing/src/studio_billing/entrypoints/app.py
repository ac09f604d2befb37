"""Assembles the billing service: database, consumers, sweeper and internal API."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from studio_common.runtime import ServiceRuntime

from studio_billing.adapters.tables import metadata
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints import api, api_batches, consumers
from studio_billing.service_layer.handlers import Billing
from studio_billing.settings import BillingSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    settings = settings or BillingSettings()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    prices = PriceTable(settings.price_margin, settings.price_overrides)
    billing = Billing(prices, timedelta(seconds=settings.hold_timeout_seconds),
                      timedelta(seconds=settings.running_timeout_seconds))
    consumers.register(runtime, billing)
    app = runtime.app("Image Studio billing (internal)", [api.router, api_batches.router])
    app.state.prices = prices
    app.state.billing = billing
    return app
