"""Pytest plugin with the shared fixtures: RabbitMQ, PostgreSQL, an S3 endpoint, unique names.

Missing infrastructure is an error, never a skip: a test run that cannot reach RabbitMQ or PostgreSQL
fails loudly.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import uuid
from urllib.parse import urlparse

import pytest

AMQP_URL = os.environ.get("STUDIO_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
POSTGRES_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _require_port(url: str, what: str) -> None:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=3).close()
    except OSError as exc:
        pytest.fail(
            f"{what} is not reachable at {parsed.hostname}:{parsed.port} ({exc}); "
            f"start it (see README) — the tests never skip it",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def amqp_url() -> str:
    _require_port(AMQP_URL, "RabbitMQ")
    return AMQP_URL


@pytest.fixture
def bus_names(amqp_url, run_id):
    """A private exchange and queue prefix per test, so runs and tests never share durable queues."""
    token = f"{run_id}{uuid.uuid4().hex[:6]}"
    names = {"exchange": f"test.{token}.events", "queue_prefix": f"test.{token}."}
    yield names
    _delete_rabbit_objects(names)


def _delete_rabbit_objects(names: dict) -> None:
    async def delete() -> None:
        import aio_pika

        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            for queue in _list_queues(names["queue_prefix"]):
                channel = await connection.channel()
                await channel.queue_delete(queue)
            channel = await connection.channel()
            for exchange in (names["exchange"], names["exchange"] + ".dlx"):
                await channel.exchange_delete(exchange)

    # Clean-up is best effort; unique names keep runs apart anyway.
    with contextlib.suppress(Exception):
        asyncio.run(delete())


def _list_queues(prefix: str) -> list[str]:
    try:
        out = subprocess.run(
            ["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip().startswith(prefix)]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    _require_port(POSTGRES_URL, "PostgreSQL")
    return POSTGRES_URL


@pytest.fixture
def postgres_database(postgres_server, run_id):
    """A fresh PostgreSQL database per test; yields its SQLAlchemy (asyncpg) URL and drops it after."""
    name = f"studio_test_{run_id}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(postgres_server, f'CREATE DATABASE "{name}"'))
    base = postgres_server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield f"{base}/{name}"
    asyncio.run(_admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def database_of_kind(kind: str, request, tmp_path) -> str:
    """A fresh database of one kind: a SQLite file in the test's directory, or a PostgreSQL database."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/service.db"
    return request.getfixturevalue("postgres_database")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Runs the test on both databases the services support: SQLite and PostgreSQL."""
    return database_of_kind(request.param, request, tmp_path)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


# Users of a whole stack: a test directory that starts one defines the session fixture `stack`
# (studio_common.testing.stacks.isolated_stack) and gets these with it.
@pytest.fixture(scope="session")
def gateway(stack) -> str:
    return stack.url("gateway")


@pytest.fixture
def user(gateway):
    from studio_common.testing.client import StudioClient

    return StudioClient(gateway, f"user-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def other_user(gateway):
    from studio_common.testing.client import StudioClient

    return StudioClient(gateway, f"other-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def admin(gateway):
    from studio_common.testing.client import StudioClient

    return StudioClient(gateway, "admin-1", admin=True)
