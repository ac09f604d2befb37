"""The whole stack as processes for the security regressions that need it, and helpers to forge tokens."""

import uuid

import pytest
from studio_common.testing.client import SECRET, StudioClient
from studio_common.testing.stacks import isolated_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory, amqp_url):
    with isolated_stack(tmp_path_factory.mktemp("security"), "sec", SECRET) as running_stack:
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
