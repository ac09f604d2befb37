"""The one consumer shape: a registry of handlers, with inbox, transaction, outbox, retries that wait in a
delay queue, and poison messages rejected into the dead-letter queue."""

import asyncio
import itertools
import json
import time

import aio_pika
import pytest
from sqlalchemy import Column, String, Table, func, select

from studio_common.bus.faults import TransientError
from studio_common.bus.topology import RETRY_DELAYS
from studio_common.db import new_metadata
from studio_common.events import OperationProgress, OperationStarted
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings
from studio_common.testing.recorder import EventRecorder


def make_runtime(bus_names, amqp_url, tmp_path, **options):
    metadata = new_metadata()
    seen = Table("seen", metadata, Column("operation_id", String(64), primary_key=True))
    settings = CommonSettings(
        amqp_url=amqp_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/c.db",
        service_name="probe",
        **bus_names,
        **options,
    )
    return ServiceRuntime(settings, metadata), seen


async def count(runtime, table) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_handler_changes_and_emitted_events_commit_once_per_event(bus_names, amqp_url, tmp_path):
    runtime, seen = make_runtime(bus_names, amqp_url, tmp_path)

    async def on_progress(session, event: OperationProgress):
        await session.execute(seen.insert().values(operation_id=event.operation_id))
        return [
            OperationStarted(operation_id=event.operation_id, user_id=event.user_id, provider="p", model="m")
        ]

    runtime.consume("probe", {OperationProgress: on_progress})
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            progress = OperationProgress(operation_id="op-1", user_id="u", progress=0.5)
            first = await recorder.publish(progress)
            await recorder.publish(progress, event_id=first.id)  # a duplicate delivery of the same event
            await recorder.wait_for(lambda events: any(e.type == "operation.started" for e in events))
            await asyncio.sleep(0.5)
            assert [e.type for e in recorder.events].count("operation.started") == 1
        assert await count(runtime, seen) == 1
    finally:
        await runtime.stop()


async def test_a_transient_failure_waits_in_a_delay_queue_without_spending_deliveries(
    bus_names, amqp_url, tmp_path
):
    runtime, seen = make_runtime(bus_names, amqp_url, tmp_path, poison_after=2)
    attempts: list[tuple[float, int]] = []

    async def flaky(session, event: OperationProgress):
        attempts.append((time.monotonic(), len(attempts)))
        if len(attempts) < 3:  # more failures than poison_after: only a delay keeps it from being poison
            raise TransientError("dependency down")
        await session.execute(seen.insert().values(operation_id=event.operation_id))
        return []

    runtime.consume("probe", {OperationProgress: flaky})
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            await recorder.publish(OperationProgress(operation_id="op-2", user_id="u", progress=0.5))
            for _ in range(100):
                if await count(runtime, seen):
                    break
                await asyncio.sleep(0.1)
        assert await count(runtime, seen) == 1
        gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(attempts)]
        assert len(attempts) == 3
        assert gaps[0] >= RETRY_DELAYS[0] * 0.9 and gaps[1] >= RETRY_DELAYS[1] * 0.9
        assert await _messages_in(amqp_url, runtime.settings.queue_name("probe.dlq")) == 0
    finally:
        await runtime.stop()


async def test_a_poison_message_is_rejected_into_the_dead_letter_queue(bus_names, amqp_url, tmp_path):
    runtime, _ = make_runtime(bus_names, amqp_url, tmp_path, poison_after=3)
    attempts = 0

    async def broken(session, event: OperationProgress):
        nonlocal attempts
        attempts += 1
        raise ValueError("a bug, every time")

    runtime.consume("probe", {OperationProgress: broken})
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            sent = await recorder.publish(OperationProgress(operation_id="op-3", user_id="u", progress=0.5))
        dead = runtime.settings.queue_name("probe.dlq")
        for _ in range(100):
            if await _messages_in(amqp_url, dead):
                break
            await asyncio.sleep(0.1)
        assert attempts == 3
        letter = await _take_one(amqp_url, dead)
        assert json.loads(letter.body)["id"] == sent.id
        assert letter.headers["x-death"][0]["reason"] == "rejected"
    finally:
        await runtime.stop()


async def test_events_consumed_together_share_transactions_and_a_poison_one_fails_alone(
    bus_names, amqp_url, tmp_path
):
    runtime, seen = make_runtime(bus_names, amqp_url, tmp_path, poison_after=2)
    transactions: list = []  # each one seen, kept alive so that identity tells them apart

    async def fold(session, event: OperationProgress):
        current = session.get_transaction()
        if not any(current is seen for seen in transactions):
            transactions.append(current)
        await asyncio.sleep(0.02)  # slow enough that a prefetch of them arrives while one runs
        if event.operation_id == "op-poison":
            raise ValueError("a bug, every time")
        await session.execute(seen.insert().values(operation_id=event.operation_id))
        return []

    runtime.consume("probe", {OperationProgress: fold}, dedupe=False, together=True)
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            for n in range(30):
                operation_id = "op-poison" if n == 15 else f"op-{n}"
                await recorder.publish(
                    OperationProgress(operation_id=operation_id, user_id="u", progress=0.5)
                )
        dead = runtime.settings.queue_name("probe.dlq")
        for _ in range(100):
            if await count(runtime, seen) == 29 and await _messages_in(amqp_url, dead):
                break
            await asyncio.sleep(0.1)
        assert await count(runtime, seen) == 29
        assert await _messages_in(amqp_url, dead) == 1
        assert len(transactions) < 29  # shared: fewer transactions than events
    finally:
        await runtime.stop()


async def _messages_in(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count


async def _take_one(amqp_url: str, queue: str):
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        message = await declared.get(timeout=5)
        await message.ack()
        return message


@pytest.fixture(autouse=True)
def _quiet_retries(caplog):
    caplog.set_level("ERROR", logger="studio_common.bus")


async def test_a_batch_only_queue_gets_batch_operations_events_and_drops_its_old_topic_bindings(
    bus_names, amqp_url, tmp_path
):
    runtime, seen = make_runtime(bus_names, amqp_url, tmp_path)
    queue_name = runtime.settings.queue_name("probe")
    # As the queue was bound before batch events had a route of their own: every operation's events.
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(bus_names["exchange"], "topic", durable=True)
        old = await channel.declare_queue(
            queue_name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-dead-letter-exchange": f"{bus_names['exchange']}.dlx",
                "x-dead-letter-routing-key": queue_name,
                "x-delivery-limit": runtime.settings.delivery_limit,
            },
        )
        await old.bind(exchange, routing_key="operation.progress.*")
    handled: list[str] = []

    async def note(session, event: OperationProgress):
        handled.append(event.operation_id)
        await session.execute(seen.insert().values(operation_id=event.operation_id))
        return []

    runtime.consume("probe", {OperationProgress: note}, batch_only=True)
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            await recorder.publish(OperationProgress(operation_id="single", user_id="u", progress=0.5))
            await recorder.publish(
                OperationProgress(operation_id="row", user_id="u", progress=0.5, batch_id="b-1", batch_row=1)
            )
            for _ in range(50):
                if handled:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # time for the other one, had it been routed here
        assert handled == ["row"]
    finally:
        await runtime.stop()


async def test_a_consumer_takes_no_more_messages_than_its_prefetch(bus_names, amqp_url, tmp_path):
    """Every work queue is read through a channel whose QoS is the service's prefetch, so a replica holds
    only as many messages as it runs (a killed one returns only those) and a slow worker cannot take
    the whole queue (its leases would lapse while the messages wait in its process)."""
    settings = CommonSettings(amqp_url=amqp_url, service_name="probe", prefetch=3, **bus_names)
    runtime = ServiceRuntime(settings)
    running, peak, handled = 0, 0, 0

    async def slow(_unit, event: OperationProgress):
        nonlocal running, peak, handled
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.1)
        running -= 1
        handled += 1
        return []

    runtime.consume("probe", {OperationProgress: slow})
    await runtime.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            for n in range(20):
                await recorder.publish(OperationProgress(operation_id=f"op-{n}", user_id="u", progress=0.5))
            await asyncio.sleep(0.25)
            connection = await aio_pika.connect(amqp_url)
            async with connection, connection.channel() as channel:
                queue = await channel.declare_queue(settings.queue_name("probe"), passive=True)
                waiting = queue.declaration_result.message_count  # ready, not yet delivered
            deadline = time.monotonic() + 10
            while handled < 20 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        assert handled == 20
        assert peak == 3
        assert waiting > 0  # the rest waited in the broker, not in the consumer's process
    finally:
        await runtime.stop()
