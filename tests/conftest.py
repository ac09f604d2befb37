"""The whole stack as separate processes on RabbitMQ, shared by the end-to-end and security tests that
drive it only through the public HTTP API (users come with it from studio_common.testing.plugin)."""

import pytest

from studio_common.testing.client import SECRET
from studio_common.testing.stacks import isolated_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory, amqp_url):
    data_dir = tmp_path_factory.mktemp("stack")
    env = {
        "STUDIO_OTEL_SPAN_FILE": str(data_dir / "spans.jsonl"),
        "STUDIO_LOG_LEVEL": "INFO",
        # Batch webhooks go to public addresses only; the tests' receiver listens on loopback.
        "STUDIO_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    with isolated_stack(data_dir, "e2e", SECRET, env) as running_stack:
        yield running_stack
