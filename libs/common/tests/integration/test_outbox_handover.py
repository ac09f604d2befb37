"""The transaction that writes outbox rows hands them to its relay as it commits: they go out from memory
at once, never before the commit and never after a rollback; the sweep only takes what is left behind."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from studio_common import db
from studio_common.bus import EventBus, OutboxRelay, add_to_outbox, make_outbox_table
from studio_common.bus.outbox import stage
from studio_common.events import OperationProgress
from studio_common.settings import CommonSettings
from studio_common.testing.recorder import EventRecorder


@pytest.fixture
async def relay_setup(bus_names, amqp_url, tmp_path):
    metadata = db.new_metadata()
    table = make_outbox_table(metadata)
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    await db.create_schema(engine, metadata)
    bus = EventBus(CommonSettings(amqp_url=amqp_url, **bus_names), "probe")
    await bus.start()
    # A sweep that never comes during the test: whatever is published was handed over by a commit.
    relay = OutboxRelay(engine, table, bus, interval=3600, grace=timedelta(hours=1))
    relay.start()
    try:
        yield engine, table, bus, relay, bus_names
    finally:
        await relay.stop()
        await bus.stop()
        await engine.dispose()


async def write(engine, table, bus, relay, operation_id: str, commit: bool):
    envelope = bus.envelope(OperationProgress(operation_id=operation_id, user_id="u", progress=0.5))
    async with db.session_factory(engine)() as session, session.begin():
        stage(session, relay, await add_to_outbox(session, table, envelope))
        if not commit:
            await session.rollback()
    return envelope


async def test_committed_rows_go_out_from_memory_and_are_marked_sent(relay_setup, amqp_url):
    engine, table, bus, relay, names = relay_setup
    async with EventRecorder(amqp_url, names["exchange"]) as recorder:
        kept = await write(engine, table, bus, relay, "op-kept", commit=True)
        await write(engine, table, bus, relay, "op-rolled-back", commit=False)
        await recorder.wait_for(lambda events: len(events) >= 1)
    assert [e.id for e in recorder.events] == [kept.id]
    async with engine.connect() as connection:
        rows = (await connection.execute(select(table.c.id, table.c.sent))).all()
    assert [(row.id, row.sent) for row in rows] == [(kept.id, True)]


async def test_the_sweep_takes_only_rows_older_than_the_grace(relay_setup):
    engine, table, bus, relay, _names = relay_setup
    envelope = bus.envelope(OperationProgress(operation_id="op-left", user_id="u", progress=0.5))
    async with db.session_factory(engine)() as session, session.begin():
        await add_to_outbox(session, table, envelope)  # not staged: as if its process had crashed
    assert await relay.flush(older_than=timedelta(minutes=1)) == 0
    assert await relay.flush() == 1
