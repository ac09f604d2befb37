"""Test and benchmark tooling: the whole stack on a private exchange, and throw-away PostgreSQL databases."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio_common.devstack import DEFAULT_PORTS, Stack, free_port
from studio_common.testing.plugin import POSTGRES_URL, _admin, _delete_rabbit_objects


@contextmanager
def isolated_stack(
    data_dir: Path, label: str, secret: str, env: dict[str, str] | None = None, **stack_options
) -> Iterator[Stack]:
    """Start the services on free ports with their own exchange and queue prefix; remove them after."""
    token = uuid.uuid4().hex[:10]
    names = {"exchange": f"{label}.{token}.events", "queue_prefix": f"{label}.{token}."}
    stack = Stack(
        data_dir=Path(data_dir),
        ports={s: free_port() for s in DEFAULT_PORTS},
        metrics_ports={s: free_port() for s in DEFAULT_PORTS},
        env={
            "STUDIO_EXCHANGE": names["exchange"],
            "STUDIO_QUEUE_PREFIX": names["queue_prefix"],
            "STUDIO_JWT_SECRET": secret,
            **(env or {}),
        },
        **stack_options,
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
        _delete_rabbit_objects(names)


@contextmanager
def postgres_databases(
    label: str, services: tuple[str, ...] = ("gateway", "billing", "assets"), server: str = POSTGRES_URL
) -> Iterator[dict[str, str]]:
    """One fresh database per service; yields their SQLAlchemy URLs and drops them after."""
    token = uuid.uuid4().hex[:8]
    names = {service: f"{label}_{token}_{service}" for service in services}
    for name in names.values():
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    base = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield {service: f"{base}/{name}" for service, name in names.items()}
    finally:
        for name in names.values():
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
