"""Alembic migrations, run by each service at start-up against its own database.

Each service keeps `migrations/` (env.py + versions/) next to its tables; env.py calls `run_env`.
On PostgreSQL an advisory lock makes replicas that start together migrate one at a time.
"""

import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: Path, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection, script_location: Path, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        lock = zlib.crc32(str(script_location.parent.name).encode())
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, script_location: Path, revision: str = "head") -> None:
    """Bring the database to `revision` (a service starts at head; tests of a data migration stop short)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, script_location, revision)


def run_env(metadata: MetaData) -> None:
    """The body of every service's env.py: migrate on the connection the service hands over, or (for
    `alembic revision --autogenerate`) on the URL in the config."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _configure_and_run(connection, metadata)
            connection.commit()
        return
    _configure_and_run(connection, metadata)


def _configure_and_run(connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()
