"""Dead letters are resolved, never forgotten: a poison request or approval fails its operation with
`internal_error` and voids its hold; an unreadable one is parked for an operator; replay is safe."""

import json

import aio_pika
import pytest

from studio_billing.entrypoints.app import create_app
from studio_billing.service_layer.handlers import Billing
from studio_common.events import OperationApproved, OperationFailed, OperationSettled
from studio_common.testing.apps import running, service_headers
from studio_common.testing.recorder import EventRecorder

from .test_billing_flow import balance_of, make_settings, requested

pytestmark = pytest.mark.usefixtures("quiet_bus_logs")


@pytest.fixture
def quiet_bus_logs(caplog):
    caplog.set_level("CRITICAL", logger="studio_common.bus")


def operator(client) -> dict[str, str]:
    return service_headers(client._transport.app, "gateway", scopes=("dead-letters.operate",))


async def wait_for_letter(client, predicate, tries: int = 150) -> dict:
    import asyncio

    for _ in range(tries):
        letters = (await client.get("/internal/dead-letters", headers=operator(client))).json()
        found = [letter for letter in letters if predicate(letter)]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such dead letter; have {letters}")


async def test_a_request_billing_cannot_process_fails_the_operation(
    bus_names,
    database_url,
    amqp_url,
    monkeypatch,
):
    original = Billing.on_requested
    poison = requested("gina")

    async def broken(self, session, event):
        if event.operation_id == poison.operation_id:
            raise RuntimeError("a bug that hits this request every time")
        return await original(self, session, event)

    monkeypatch.setattr(Billing, "on_requested", broken)
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await bus.publish(poison)
        [failed] = await bus.wait_count(OperationFailed, 1)
        assert (failed.operation_id, failed.code) == (poison.operation_id, "internal_error")
        letter = await wait_for_letter(client, lambda x: x["operation_id"] == poison.operation_id)
        assert (letter["queue"], letter["status"], letter["reason"]) == ("billing", "resolved", "rejected")
        balance = await balance_of(client, app, "gina")
        assert balance["pending_credits"] == 0

        monkeypatch.setattr(Billing, "on_requested", original)  # the bug is fixed; the operator replays
        replay = await client.post(f"/internal/dead-letters/{letter['id']}/replay", headers=operator(client))
        assert replay.json()["status"] == "replayed"
        await bus.publish(requested("gina"))  # a later request still goes through
        await bus.wait_count(OperationApproved, 1)
        assert not bus.of_type(OperationApproved, poison.operation_id)  # the failed operation stays failed


async def test_an_approval_dead_lettered_at_a_worker_voids_its_hold(bus_names, database_url, amqp_url):
    settings = make_settings(bus_names, database_url)
    app = create_app(settings)
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        request = requested("hana", units=3)
        await bus.publish(request)
        [approved] = await bus.wait_count(OperationApproved, 1)
        assert (await balance_of(client, app, "hana"))["pending_credits"] == 3
        envelope = next(e for e in bus.events if e.type == "operation.approved")
        await _dead_letter(
            amqp_url, settings.queue_name("generation.dlq"), envelope.model_dump_json().encode()
        )

        [failed] = await bus.wait_count(OperationFailed, 1)
        assert (failed.operation_id, failed.code) == (approved.operation_id, "internal_error")
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert (settled.charged_credits, settled.released_credits) == (0, 3)
        balance = await balance_of(client, app, "hana")
        assert (balance["pending_credits"], balance["available_credits"]) == (0, 200)
        letter = await wait_for_letter(client, lambda x: x["queue"] == "generation")
        assert letter["status"] == "resolved"
        shown = (await client.get(f"/internal/dead-letters/{letter['id']}", headers=operator(client))).json()
        assert json.loads(shown["body"])["id"] == envelope.id


async def test_an_unreadable_message_is_parked_for_an_operator(bus_names, amqp_url, tmp_path):
    app = create_app(make_settings(bus_names, f"sqlite+aiosqlite:///{tmp_path}/b.db"))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await bus.publish_raw(b"{not json", "operation.requested.generation")
        letter = await wait_for_letter(client, lambda x: x["event_type"] == "unreadable")
        assert (letter["queue"], letter["status"]) == ("billing", "parked")
        assert (
            await client.get("/internal/dead-letters", params={"status": "parked"}, headers=operator(client))
        ).json()
        assert (await client.get("/internal/dead-letters")).status_code == 401


async def _dead_letter(amqp_url: str, queue: str, body: bytes) -> None:
    """What the broker does when a worker rejects the message: it lands in the worker's dead-letter queue."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        death = [{"reason": "rejected", "queue": queue.removesuffix(".dlq"), "count": 1}]
        await channel.default_exchange.publish(
            aio_pika.Message(body, headers={"x-death": death}, message_id="m-1"), routing_key=queue
        )
