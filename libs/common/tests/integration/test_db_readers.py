"""Requests read through connections of their own on SQLite: they see what is committed while a writer
holds the write lock, instead of queueing behind it, and cannot write."""

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from studio_common.db import make_engine, make_read_engine


@pytest.fixture
async def sqlite_pair(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/readers.db"
    writer = make_engine(url)
    reader = make_read_engine(url, writer)
    async with writer.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        await connection.execute(text("INSERT INTO notes (body) VALUES ('committed')"))
    yield writer, reader
    await reader.dispose()
    await writer.dispose()


async def test_a_reader_answers_while_a_writer_holds_the_write_lock(sqlite_pair):
    writer, reader = sqlite_pair
    assert reader is not writer
    async with writer.begin() as writing:
        await writing.execute(text("INSERT INTO notes (body) VALUES ('not yet')"))

        async def read() -> list[str]:
            async with reader.begin() as reading:
                return list((await reading.execute(text("SELECT body FROM notes ORDER BY id"))).scalars())

        assert await asyncio.wait_for(read(), timeout=2) == ["committed"]  # no wait, no uncommitted row
    async with reader.begin() as reading:
        assert (await reading.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 2


async def test_a_reader_cannot_write(sqlite_pair):
    _, reader = sqlite_pair
    with pytest.raises(OperationalError, match="readonly"):
        async with reader.begin() as reading:
            await reading.execute(text("INSERT INTO notes (body) VALUES ('through a reader')"))


async def test_postgres_reads_in_autocommit_through_the_writers_pool(postgres_database):
    writer = make_engine(postgres_database)
    reader = make_read_engine(postgres_database, writer)
    levels = []
    event.listen(
        writer.sync_engine,
        "before_cursor_execute",
        lambda conn, *_: levels.append(conn.get_execution_options().get("isolation_level")),
    )
    try:
        assert reader.sync_engine.pool is writer.sync_engine.pool
        async with writer.begin() as writing:
            await writing.execute(text("CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT)"))
            await writing.execute(text("INSERT INTO notes (body) VALUES ('committed')"))
        async with writer.begin() as writing:
            await writing.execute(text("INSERT INTO notes (body) VALUES ('not yet')"))
            async with reader.begin() as reading:  # no BEGIN, no COMMIT: one round trip per statement
                assert list((await reading.execute(text("SELECT body FROM notes"))).scalars()) == [
                    "committed"
                ]
        assert levels[-2:] == [None, "AUTOCOMMIT"]  # the writer's insert, then the read
    finally:
        await writer.dispose()


async def test_in_memory_databases_read_through_the_writer_engine(tmp_path):
    writer = make_engine(f"sqlite+aiosqlite:///{tmp_path}/any.db")
    try:
        # an in-memory database lives in its one connection: another engine would open another database
        assert make_read_engine("sqlite+aiosqlite://", writer) is writer
        assert make_read_engine("sqlite+aiosqlite:///:memory:", writer) is writer
    finally:
        await writer.dispose()
