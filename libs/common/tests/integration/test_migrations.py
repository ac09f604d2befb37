"""Each service's Alembic migrations build exactly the schema its tables declare, on SQLite and
PostgreSQL, and running them twice (a second replica starting) changes nothing."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from studio_common.db import make_engine
from studio_common.migrations import upgrade

SERVICES = ("gateway", "billing", "assets", "batch")


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_declared_tables(service, database_url):
    tables = importlib.import_module(f"studio_{service}.adapters.tables")
    app_module = importlib.import_module(f"studio_{service}.entrypoints.app")
    engine = make_engine(database_url)
    try:
        await upgrade(engine, app_module.MIGRATIONS)
        await upgrade(engine, app_module.MIGRATIONS)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), tables.metadata
                )
            )
    finally:
        await engine.dispose()
    assert differences == []
