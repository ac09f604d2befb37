"""Every transaction counts how long it waited for its connection (`studio_database_wait_seconds`), so a
pool, or SQLite's one writer, that is too small for the load shows there first; PostgreSQL pools are sized
by a setting."""

import asyncio

from prometheus_client import REGISTRY

from studio_common.db import new_metadata
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings


def waits(purpose: str) -> tuple[float, float]:
    """(how many transactions waited, seconds in all) so far."""
    labels = {"purpose": purpose}
    count = REGISTRY.get_sample_value("studio_database_wait_seconds_count", labels) or 0.0
    return count, REGISTRY.get_sample_value("studio_database_wait_seconds_sum", labels) or 0.0


async def test_a_transaction_behind_the_writer_counts_its_wait_and_reads_count_apart(tmp_path):
    settings = CommonSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db", service_name="probe")
    runtime = ServiceRuntime(settings, new_metadata())
    (writes, waited), (reads, _) = waits("write"), waits("read")
    holding = asyncio.Event()

    async def hold_the_writer() -> None:
        async with runtime.transaction():
            holding.set()
            await asyncio.sleep(0.3)

    try:
        holder = asyncio.create_task(hold_the_writer())
        await holding.wait()
        async with runtime.transaction():
            pass
        await holder
        async with runtime.reading():
            pass
        assert waits("write")[0] == writes + 2
        assert waits("write")[1] - waited >= 0.25  # the second writer waited out the first
        assert waits("read")[0] == reads + 1
    finally:
        await runtime.read_engine.dispose()
        await runtime.engine.dispose()


async def test_postgres_pools_take_their_size_from_the_settings(postgres_database):
    settings = CommonSettings(database_url=postgres_database, database_pool_size=3, service_name="probe")
    runtime = ServiceRuntime(settings, new_metadata())
    try:
        assert runtime.engine.pool.size() == 3
    finally:
        await runtime.engine.dispose()
