"""The outbox and inbox as the services' first migrations create them: exactly the tables the bus
declares, and dropped again without a trace."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, inspect

from studio_common.bus import service_metadata
from studio_common.bus.schema import (
    create_inbox_table,
    create_outbox_table,
    drop_inbox_table,
    drop_outbox_table,
)


@pytest.fixture
def migration():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        with Operations.context(context):
            yield connection, context
    engine.dispose()


def test_the_migration_builds_the_tables_the_bus_declares(migration):
    connection, context = migration
    create_inbox_table()
    create_outbox_table()
    assert compare_metadata(context, service_metadata()) == []
    indexes = inspect(connection).get_indexes("outbox")
    assert [(i["name"], i["column_names"]) for i in indexes] == [("ix_outbox_unsent", ["sent", "created_at"])]


def test_the_downgrade_drops_both_tables(migration):
    connection, _ = migration
    create_inbox_table()
    create_outbox_table()
    drop_outbox_table()
    drop_inbox_table()
    assert inspect(connection).get_table_names() == []
