"""The event bus against FastStream's in-memory broker and RabbitMQ, and the transactional outbox's relay."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio.to_thread
import pytest
from faststream.rabbit import TestRabbitBroker
from sqlalchemy import event, func, select

from studio_common import db
from studio_common.bus import EventBus, OutboxRelay, add_to_outbox, make_outbox_table
from studio_common.bus.outbox import handing_over, stage
from studio_common.events import Envelope, OperationProgress
from studio_common.settings import CommonSettings
from studio_common.testing.recorder import EventRecorder


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


async def test_a_live_queue_hears_each_events_subject_without_a_thread_hop(
    real_broker, bus_names, amqp_url, monkeypatch
):
    """The gateway's live queue hears every event: waking a listener must stay on the event loop."""
    hops = []
    monkeypatch.setattr(anyio.to_thread, "run_sync", lambda *args, **kwargs: hops.append(args))
    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    heard: list[str] = []
    both = asyncio.Event()

    def on_subject(subject: str) -> None:
        heard.append(subject)
        if len(heard) == 2:
            both.set()

    bus.subscribe_live("probe.live", (OperationProgress,), on_subject)
    async with TestRabbitBroker(bus.broker, with_real=real_broker):
        if real_broker:
            await bus.declare_topology()
        for operation_id in ("op-1", "op-2"):
            await bus.publish_data(OperationProgress(operation_id=operation_id, user_id="u", progress=0.5))
        await asyncio.wait_for(both.wait(), 10)
    assert sorted(heard) == ["op-1", "op-2"] and hops == []


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


@pytest.fixture
async def outbox(bus_names, amqp_url, tmp_path):
    """An outbox table on SQLite and its relay, running, with a sweep that never comes during a test:
    whatever it publishes by itself was handed over by a commit."""
    metadata = db.new_metadata()
    table = make_outbox_table(metadata)
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    await db.create_schema(engine, metadata)
    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    await bus.start()
    relay = OutboxRelay(engine, table, bus, interval=3600, grace=timedelta(hours=1))
    relay.start()
    try:
        yield engine, table, bus, relay
    finally:
        await relay.stop()
        await bus.stop()
        await engine.dispose()


@asynccontextmanager
async def committing(engine, relay: OutboxRelay) -> AsyncIterator:
    """A transaction as the runtime opens one: its staged rows go to `relay` once it committed."""
    async with engine.connect() as connection, handing_over(connection, relay):
        yield connection


def progress(bus: EventBus, operation_id: str) -> Envelope:
    return bus.envelope(OperationProgress(operation_id=operation_id, user_id="u", progress=0.5))


async def test_outbox_relay_publishes_committed_rows_once_and_purges_them(outbox, bus_names, amqp_url):
    """Rows committed with a change go out with their envelope intact; sent rows are purged later."""
    engine, table, bus, relay = outbox
    async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
        envelopes = [progress(bus, f"op-{i}") for i in range(3)]
        async with db.session_factory(engine)() as session, session.begin():
            for envelope in envelopes:
                await add_to_outbox(session, table, envelope)  # not handed over: only a flush finds them
        assert await relay.flush() == 3
        assert await relay.flush() == 0
        await recorder.wait_for(lambda events: len(events) == 3)
        assert sorted(e.id for e in recorder.events) == sorted(e.id for e in envelopes)
    assert await relay.purge_sent(older_than=timedelta(0)) == 3
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(table)) == 0


async def test_committed_rows_are_handed_to_the_relay_and_rolled_back_ones_never(outbox, bus_names, amqp_url):
    """The committing transaction hands its rows over: published from memory at once, then marked sent."""
    engine, table, bus, relay = outbox
    async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
        kept, dropped = progress(bus, "op-kept"), progress(bus, "op-rolled-back")
        async with committing(engine, relay) as connection:
            stage(connection, await add_to_outbox(connection, table, kept))
        with contextlib.suppress(LookupError):
            async with committing(engine, relay) as connection:
                stage(connection, await add_to_outbox(connection, table, dropped))
                raise LookupError("rolled back")
        await recorder.wait_for(lambda events: len(events) >= 1)
    assert [e.id for e in recorder.events] == [kept.id]
    assert await _sent_rows(engine, table) == [(kept.id, True)]


async def _sent_rows(engine, table, wait: float = 5.0) -> list[tuple[str, bool]]:
    """The outbox's rows once every one is marked sent (marks follow publishing by a moment)."""
    for _ in range(max(1, int(wait / 0.05))):
        async with engine.connect() as connection:
            rows = [tuple(row) for row in await connection.execute(select(table.c.id, table.c.sent))]
        if all(sent for _, sent in rows):
            break
        await asyncio.sleep(0.05)
    return rows


async def test_rows_of_many_commits_are_marked_sent_in_one_statement(outbox, bus_names, amqp_url):
    """Marking waits a moment, so that rows handed over by commits in quick succession share it."""
    engine, table, bus, relay = outbox
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
        for n in range(5):
            async with committing(engine, relay) as connection:
                stage(connection, await add_to_outbox(connection, table, progress(bus, f"op-{n}")))
        await recorder.wait_for(lambda events: len(events) == 5)
    assert [sent for _, sent in await _sent_rows(engine, table)] == [True] * 5
    assert len([sql for sql in statements if sql.startswith("UPDATE outbox")]) == 1


async def test_a_stopping_relay_marks_what_it_published_and_publishes_nothing_twice(
    outbox, bus_names, amqp_url
):
    engine, table, bus, relay = outbox
    relay.mark_every = 3600  # never marked by the running relay
    async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
        async with committing(engine, relay) as connection:
            stage(connection, await add_to_outbox(connection, table, progress(bus, "op-1")))
        await recorder.wait_for(lambda events: len(events) == 1)
        await relay.stop()
        await asyncio.sleep(0.3)  # time for a second copy to arrive, were one sent
        assert len(recorder.events) == 1
    assert await _sent_rows(engine, table, wait=0) == [(recorder.events[0].id, True)]


async def test_the_sweep_takes_only_rows_older_than_the_grace(outbox):
    """Younger rows are being published from memory by the process that wrote them."""
    engine, table, bus, relay = outbox
    async with db.session_factory(engine)() as session, session.begin():
        await add_to_outbox(session, table, progress(bus, "op-left"))  # as if its process had crashed
    assert await relay.flush(older_than=timedelta(minutes=1)) == 0
    assert await relay.flush() == 1


async def test_the_sweep_leaves_rows_handed_over_to_their_publisher(outbox):
    """A transaction slower than the grace: its rows are old when committed, but already handed over."""
    engine, table, bus, _relay = outbox
    idle = OutboxRelay(engine, table, bus)  # not started: it holds what it was handed
    async with db.session_factory(engine)() as session, session.begin():
        row = await add_to_outbox(session, table, progress(bus, "op-slow"))
    idle.hand_over([row])
    assert await idle.flush() == 0
