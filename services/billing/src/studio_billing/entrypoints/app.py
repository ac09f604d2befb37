"""Assembles the billing service: database, consumers, sweeper and internal API."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from studio_billing.adapters.tables import metadata
from studio_billing.domain.leases import LeaseTerms
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints import (
    callers,
    consumers,
    routes_accounts,
    routes_batch_holds,
    routes_dead_letters,
)
from studio_billing.service_layer.handlers import Billing
from studio_billing.service_layer.work import Work
from studio_billing.settings import BillingSettings
from studio_common.runtime import ServiceRuntime
from studio_common.service_auth import protect

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    settings = settings or BillingSettings()
    settings.check_production_safety()
    runtime = ServiceRuntime(settings, metadata, MIGRATIONS)
    prices = PriceTable(settings.price_margin, settings.price_overrides)
    billing = Billing(prices, timedelta(seconds=settings.hold_timeout_seconds))
    work = Work(
        billing,
        LeaseTerms(
            lease=timedelta(seconds=settings.lease_seconds),
            running_timeout=timedelta(seconds=settings.running_timeout_seconds),
        ),
    )
    consumers.register(runtime, billing, work)
    app = runtime.app(
        "Image Studio billing (internal)",
        [routes_accounts.router, routes_batch_holds.router, routes_dead_letters.router],
    )
    app.state.prices = prices
    app.state.billing, app.state.work = billing, work
    protect(app, settings, callers.POLICY)
    return app
