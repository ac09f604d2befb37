"""One test body against FastStream's in-memory broker and against RabbitMQ."""

import asyncio

import pytest
from faststream.rabbit import TestRabbitBroker

from studio_common.bus import EventBus
from studio_common.events import Envelope, OperationProgress
from studio_common.settings import CommonSettings


@pytest.fixture(params=["in-memory", "rabbitmq"])
def real_broker(request) -> bool:
    return request.param == "rabbitmq"


async def test_event_reaches_its_handler_with_envelope_intact(real_broker, bus_names, amqp_url):
    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    received: list[Envelope] = []
    arrived = asyncio.Event()

    async def on_progress(envelope: Envelope) -> None:
        received.append(envelope)
        arrived.set()

    bus.subscribe("probe", (OperationProgress,), on_progress)
    async with TestRabbitBroker(bus.broker, with_real=real_broker):
        if real_broker:
            await bus.declare_topology()
        sent = await bus.publish_data(OperationProgress(operation_id="op-1", user_id="u", progress=0.25))
        await asyncio.wait_for(arrived.wait(), 10)
    [got] = received
    assert got.id == sent.id and got.subject == "op-1" and got.type == "operation.progress"
    assert isinstance(got.data, OperationProgress) and got.data.progress == 0.25


async def test_events_of_other_types_are_not_delivered(bus_names, amqp_url):
    from studio_common.events import OperationStarted
    from studio_common.testing.recorder import EventRecorder

    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    received: list[Envelope] = []

    async def on_progress(envelope: Envelope) -> None:
        received.append(envelope)

    bus.subscribe("probe", (OperationProgress,), on_progress, domain="editing")
    await bus.start()
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            await recorder.publish(
                OperationStarted(operation_id="a", user_id="u", provider="p", model="m", domain="editing")
            )
            await recorder.publish(
                OperationProgress(operation_id="b", user_id="u", progress=0.5, domain="generation")
            )
            await recorder.publish(
                OperationProgress(operation_id="c", user_id="u", progress=0.5, domain="editing")
            )
            for _ in range(50):
                if received:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
    finally:
        await bus.stop()
    assert [e.subject for e in received] == ["c"]


async def test_outbox_relay_publishes_committed_rows_once_and_purges_them(bus_names, amqp_url, tmp_path):
    """Rows committed with a change go out with their envelope intact; sent rows are purged later."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from studio_common import db
    from studio_common.bus import OutboxRelay, add_to_outbox, make_outbox_table
    from studio_common.testing.recorder import EventRecorder

    metadata = db.new_metadata()
    table = make_outbox_table(metadata)
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    await db.create_schema(engine, metadata)
    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    await bus.start()
    relay = OutboxRelay(engine, table, bus)
    try:
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            envelopes = [
                bus.envelope(OperationProgress(operation_id=f"op-{i}", user_id="u", progress=0.5))
                for i in range(3)
            ]
            async with db.session_factory(engine)() as session, session.begin():
                for envelope in envelopes:
                    await add_to_outbox(session, table, envelope)
            assert await relay.flush() == 3
            assert await relay.flush() == 0
            await recorder.wait_for(lambda events: len(events) == 3)
            assert sorted(e.id for e in recorder.events) == sorted(e.id for e in envelopes)
        assert await relay.purge_sent(older_than=timedelta(0)) == 3
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(table)) == 0
    finally:
        await bus.stop()
        await engine.dispose()
