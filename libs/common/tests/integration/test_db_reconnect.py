"""Without a ping before each checkout, connections the server dropped cost one transient failure: the
pool then replaces all of them, and nothing is retried as a bug."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from studio_common.bus.faults import is_transient
from studio_common.db import make_engine
from studio_common.testing.plugin import _admin


async def test_connections_dropped_by_the_server_fail_once_transiently_then_the_pool_recovers(
    postgres_database, postgres_server
):
    engine = make_engine(postgres_database)
    name = postgres_database.rsplit("/", 1)[1]
    try:
        async with engine.connect() as first, engine.connect() as second:  # two pooled connections
            await first.execute(text("SELECT 1"))
            await second.execute(text("SELECT 1"))
        await _admin(
            postgres_server,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
        with pytest.raises(DBAPIError) as failure:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert is_transient(failure.value)
        for _ in range(3):  # the other dropped connection was invalidated with the first
            async with engine.connect() as connection:
                assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
