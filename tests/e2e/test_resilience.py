"""Chaos through the public API: a worker killed mid-operation, cancels while the worker is away and while
it runs, and one trace per operation across the services."""

import time
import uuid

import pytest

from studio_common.testing.client import SECRET, StudioClient, read_spans
from studio_common.testing.private_infra import private_rabbit
from studio_common.testing.stacks import isolated_stack


def _wait_until(predicate, timeout: float = 30, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{message} not met within {timeout}s")


def test_worker_killed_mid_operation_charges_and_indexes_once(stack, user: StudioClient):
    op_id = user.create(
        prompt="ten large variations of a mountain lake", width=2048, height=2048, num_variations=10
    )
    _wait_until(lambda: user.operation(op_id)["progress"] >= 0.1, 60, "first variation done")
    stack.stop("generation", kill=True)  # SIGKILL: no graceful shutdown, the message is unacked
    assert user.operation(op_id)["status"] == "running"
    stack.start("generation")
    stack.wait_ready("generation")
    op = user.wait(op_id, timeout=120)
    assert op["status"] == "succeeded" and len(op["outputs"]) == 10
    assert op["cost"]["charged_credits"] == 10
    assets = user.assets_of(op_id, 10)
    time.sleep(1.0)  # let any duplicate events arrive before counting
    assert (
        len(user.get("/api/content-assets", params={"operation_id": op_id}).json()["items"])
        == len(assets)
        == 10
    )
    assert user.wait_no_pending()["available_credits"] == 190
    usage = user.get("/api/billing/usage").json()
    assert usage["quotas"]["images"]["used"] == 10


def test_cancel_before_start_releases_everything(stack, user: StudioClient):
    stack.stop("generation")
    try:
        op_id = user.create(prompt="never drawn", width=256, height=256, num_variations=3)
        _wait_until(lambda: user.operation(op_id)["status"] == "approved", 30, "approved")
        assert user.balance()["pending_credits"] == 3
        response = user.post(f"/api/image-studio/operations/{op_id}/cancel")
        assert response.status_code == 202
        op = user.wait(op_id)
        assert op["status"] == "canceled" and op["cost"]["charged_credits"] == 0
    finally:
        stack.start("generation")
        stack.wait_ready("generation")
    time.sleep(2.0)  # the worker now sees the approved message and must drop it
    op = user.operation(op_id)
    assert op["status"] == "canceled" and op["outputs"] == []
    assert user.get("/api/content-assets", params={"operation_id": op_id}).json()["total"] == 0
    assert user.wait_no_pending()["available_credits"] == 200
    again = user.post(f"/api/image-studio/operations/{op_id}/cancel")
    assert again.status_code == 409


def test_cancel_while_running_keeps_what_is_done_and_charges_only_that(stack, user: StudioClient):
    op_id = user.create(
        prompt="ten large variations of a harbour", width=2048, height=2048, num_variations=10
    )
    _wait_until(lambda: user.operation(op_id)["status"] == "running", 60, "running")
    response = user.post(f"/api/image-studio/operations/{op_id}/cancel")
    assert response.status_code == 202 and response.json()["status"] == "running"
    op = user.wait(op_id, timeout=120)
    delivered = len(op["outputs"])
    assert op["status"] == "canceled" and op["error"]["code"] == "canceled", op
    assert 1 <= delivered < 10 and op["cost"]["charged_credits"] == delivered
    assert len(user.assets_of(op_id, delivered)) == delivered
    assert user.wait_no_pending()["available_credits"] == 200 - delivered
    assert user.post(f"/api/image-studio/operations/{op_id}/cancel").status_code == 409


def test_one_trace_per_operation_across_services(stack, user: StudioClient):
    op_id = user.create(prompt="traced", width=128, height=128)
    user.wait(op_id)
    user.assets_of(op_id, 1)

    def spans_for_op():
        return [s for s in read_spans(stack.data_dir) if s["attributes"].get("operation.id") == op_id]

    _wait_until(
        lambda: {"gateway", "billing", "generation", "assets"} <= {s["service"] for s in spans_for_op()},
        20,
        "spans from all four services",
    )
    assert len({s["trace_id"] for s in spans_for_op()}) == 1


@pytest.fixture(scope="module")
def private_broker_stack(tmp_path_factory):
    """A stack on a RabbitMQ node of its own: the shared broker serves every other run on the machine
    and is never restarted by a test."""
    data_dir = tmp_path_factory.mktemp("broker-restart")
    with (
        private_rabbit(data_dir) as rabbit,
        isolated_stack(
            data_dir,
            "restart",
            SECRET,
            {"STUDIO_AMQP_URL": rabbit.amqp_url},
            services=("billing", "assets", "generation", "gateway"),
        ) as stack,
    ):
        yield stack, rabbit


def test_broker_restart_under_load_loses_nothing(private_broker_stack):
    """I4: every accepted operation reaches a final status across a RabbitMQ restart, charged once."""
    stack, rabbit = private_broker_stack
    user = StudioClient(stack.url("gateway"), f"restart-{uuid.uuid4().hex[:6]}")
    admin = StudioClient(stack.url("gateway"), "restart-admin", admin=True)
    assert (
        admin.http.put(f"/api/billing/accounts/{user.user}/plan", json={"plan": "enterprise"}).status_code
        == 200
    )
    before = user.wait_no_pending()["available_credits"]
    ids = []
    for i in range(30):
        ids.append(user.create(prompt=f"steady work {i}", width=128, height=128))
        if i == 10:
            assert rabbit.ctl("stop_app").returncode == 0
            time.sleep(1)
            assert rabbit.ctl("start_app").returncode == 0
    finals = [user.wait(op_id, timeout=120) for op_id in ids]
    assert [op["status"] for op in finals] == ["succeeded"] * 30
    assert sum(op["cost"]["charged_credits"] for op in finals) == 30
    assert user.wait_no_pending(60)["available_credits"] == before - 30
    for op in finals:
        assert len(user.assets_of(op["operation_id"], 1)) == 1


def test_sigterm_lets_a_worker_finish_what_it_holds_before_it_exits(stack, user: StudioClient):
    """Graceful drain: SIGTERM stops a worker taking new messages; the operation it runs completes first."""
    op_id = user.create(
        prompt="four large variations of a harbour", width=2048, height=2048, num_variations=4
    )
    _wait_until(lambda: user.operation(op_id)["status"] == "running", 60, "operation running")
    process = stack.processes["generation"]
    process.terminate()
    try:
        assert process.wait(timeout=110) in (0, -15)  # uvicorn re-raises the signal once it has shut down
        op = user.wait(op_id, timeout=10)  # finished before the worker exited: no other worker is running
        assert op["status"] == "succeeded" and len(op["outputs"]) == 4
    finally:
        stack.processes.pop("generation", None)
        stack.start("generation")
        stack.wait_ready("generation")
