"""Database wiring shared by the services that own data: PostgreSQL in production, SQLite files by default."""

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import MetaData, Table, event, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# What repositories and handlers run statements on: a runtime's connection (`transaction`, `reading`) or a
# session a service opens itself (boards, notifications); only execute, scalar(s) and begin_nested are used.
Executor = AsyncConnection | AsyncSession


def dialect_name(executor: Executor) -> str:
    """ "postgresql" or "sqlite": the database `executor` speaks."""
    return executor.dialect.name if isinstance(executor, AsyncConnection) else executor.bind.dialect.name


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING)


@functools.cache
def insert_unless_present(dialect: str, table: Table, key: str):
    """INSERT ... ON CONFLICT (key) DO NOTHING, built once per dialect and table: the row's values come as
    parameters, so each call reuses the compiled statement; `rowcount` says whether the row was new."""
    return dialect_insert(dialect)(table).on_conflict_do_nothing(index_elements=[key])


def dialect_insert(dialect: str):
    """The INSERT construct with ON CONFLICT of the dialect a session or engine speaks (`dialect_name`):
    PostgreSQL's or SQLite's, the two databases every service runs on."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return pg_insert if dialect == "postgresql" else sqlite_insert


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    if not is_sqlite(url):
        # No ping before each checkout (a round trip per transaction): a connection the server dropped
        # fails its statement as a transient error (retried, or a 503), and SQLAlchemy then invalidates
        # every older connection of the pool, so one failure per database restart replaces the ping.
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ensure_sqlite_dir(url)
    # One connection: SQLite has one writer anyway, and queueing for it in asyncio is far cheaper than
    # SQLite's busy handler, which sleeps up to 100 ms at a time when connections contend.
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60
    )
    _serialise_sqlite_writers(engine)
    return engine


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_read_engine(url: str, engine: AsyncEngine, readers: int = 4) -> AsyncEngine:
    """Where requests read. PostgreSQL: `engine`'s own pool (readers never wait on writers there), in
    autocommit: at READ COMMITTED, PostgreSQL's default, each statement reads a snapshot of its own inside
    a transaction or not, so reading outside one loses nothing and saves the BEGIN and COMMIT round trips.
    SQLite: connections of their own, which WAL lets read while the one writer connection holds the write
    lock, so an answer never queues behind a write (an in-memory database is one connection's: `engine`)."""
    if not is_sqlite(url):
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    if ":memory:" in url or url.rstrip("/").endswith(":"):
        return engine
    reader = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=readers, max_overflow=0, pool_timeout=60
    )
    _configure_sqlite(reader, begin="BEGIN", read_only=True)
    return reader


def _serialise_sqlite_writers(engine: AsyncEngine) -> None:
    """SQLite upgrades a read lock to a write lock lazily and then fails with 'database is locked'.

    Taking the write lock at BEGIN (IMMEDIATE) makes concurrent transactions queue on busy_timeout
    instead, which is what a ledger needs; WAL keeps readers from blocking on the writer.
    """
    _configure_sqlite(engine, begin="BEGIN IMMEDIATE", read_only=False)


def _configure_sqlite(engine: AsyncEngine, begin: str, read_only: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:  # a write through a reader is a bug: SQLite refuses it
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(begin)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_schema(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


@asynccontextmanager
async def one_statement(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for work that is a single statement: on PostgreSQL in autocommit, so the statement
    commits by itself with no BEGIN and COMMIT round trips; on SQLite in a transaction, as every write
    there takes the one writer's lock."""
    if is_sqlite(str(engine.url)):
        async with engine.begin() as connection:
            yield connection
        return
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
