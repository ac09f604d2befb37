"""The whole stack as separate processes on RabbitMQ, driven only through the public HTTP API."""

import uuid

import pytest

from studio_common.testing.client import SECRET, StudioClient
from studio_common.testing.stacks import isolated_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory, amqp_url):
    data_dir = tmp_path_factory.mktemp("stack")
    env = {"STUDIO_OTEL_SPAN_FILE": str(data_dir / "spans.jsonl"), "STUDIO_LOG_LEVEL": "INFO",
           # Batch webhooks go to public addresses only; the tests' receiver listens on loopback.
           "STUDIO_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    with isolated_stack(data_dir, "e2e", SECRET, env) as running_stack:
        yield running_stack


@pytest.fixture(scope="session")
def gateway(stack) -> str:
    return stack.url("gateway")


@pytest.fixture
def user(gateway) -> StudioClient:
    return StudioClient(gateway, f"user-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def other_user(gateway) -> StudioClient:
    return StudioClient(gateway, f"other-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def admin(gateway) -> StudioClient:
    return StudioClient(gateway, "admin-1", admin=True)
