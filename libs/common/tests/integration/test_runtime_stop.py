"""Stopping a service never cuts a background job off inside a database transaction."""

import asyncio

from sqlalchemy import Column, Integer, Table, select

from studio_common.db import new_metadata
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings


async def test_stop_lets_a_running_job_commit_and_the_last_flush_still_works(bus_names, amqp_url, tmp_path):
    metadata = new_metadata()
    ticks = Table("ticks", metadata, Column("id", Integer, primary_key=True))
    settings = CommonSettings(
        amqp_url=amqp_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db",
        service_name="probe",
        **bus_names,
    )
    runtime = ServiceRuntime(settings, metadata)
    inside = asyncio.Event()

    async def slow_job() -> None:
        async with runtime.sessions() as session, session.begin():
            await session.execute(ticks.insert().values())
            inside.set()
            await asyncio.sleep(0.5)  # still holding SQLite's write lock when stop() is called

    runtime.every(0.05, slow_job)
    await runtime.start()
    await asyncio.wait_for(inside.wait(), 10)
    await runtime.stop()  # before: the job was cancelled mid-transaction and the outbox flush failed

    runtime = ServiceRuntime(settings, metadata)
    await runtime.start()
    try:
        async with runtime.sessions() as session:
            assert len((await session.execute(select(ticks.c.id))).all()) >= 1
    finally:
        await runtime.stop()
