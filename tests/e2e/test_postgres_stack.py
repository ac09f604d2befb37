"""The same stack with gateway, billing and assets on PostgreSQL instead of SQLite files."""

import uuid

import httpx
import pytest

from studio_common.testing.client import SECRET, StudioClient
from studio_common.testing.stacks import isolated_stack, postgres_databases


@pytest.fixture(scope="module")
def postgres_stack(tmp_path_factory, amqp_url, postgres_server):
    with (
        postgres_databases("studio_e2e", server=postgres_server) as databases,
        isolated_stack(
            tmp_path_factory.mktemp("pgstack"),
            "e2epg",
            SECRET,
            services=("billing", "assets", "generation", "gateway"),
            database_urls=databases,
        ) as stack,
    ):
        yield stack


def test_create_end_to_end_on_postgresql(postgres_stack):
    user = StudioClient(postgres_stack.url("gateway"), f"pg-{uuid.uuid4().hex[:6]}")
    op = user.wait(user.create(prompt="a harbour at night", template_id="linkedin-post", num_variations=2))
    assert op["status"] == "succeeded" and op["cost"]["charged_credits"] == 2
    assert all((o["width"], o["height"]) == (1200, 627) for o in op["outputs"])
    assert httpx.get(op["outputs"][0]["url"]).status_code == 200
    assert len(user.assets_of(op["operation_id"], 2)) == 2
    assert user.wait_no_pending()["available_credits"] == 198
    replay = user.post(
        "/api/image-studio/create",
        json={"prompt": "x", "width": 64, "height": 64},
        headers={"Idempotency-Key": "pg-1"},
    )
    again = user.post(
        "/api/image-studio/create",
        json={"prompt": "x", "width": 64, "height": 64},
        headers={"Idempotency-Key": "pg-1"},
    )
    assert replay.json() == again.json()
