"""What one reservation and one settlement send to the database: on PostgreSQL the reads that decide a
reservation are three and its writes one statement; a settlement is its hold's lock and one statement."""

import asyncio
from datetime import timedelta

from sqlalchemy import event, func, select

from studio_billing.adapters.tables import accounts, holds
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints.app import MIGRATIONS
from studio_billing.service_layer import accounts as account_service
from studio_billing.service_layer.handlers import Billing
from studio_common import db
from studio_common.migrations import upgrade
from studio_common.testing.events import completion_of

from .test_running_usage import requested, usage_from_holds, usage_rows

BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))


async def test_a_reservation_and_its_settlement_in_few_statements(database_url):
    engine = db.make_engine(database_url)
    await upgrade(engine, MIGRATIONS)
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2].split()[0]))
    sessions = db.session_factory(engine)
    asked = requested("rita")
    async with sessions() as session, session.begin():
        await BILLING.on_requested(session, requested("rita"))  # the account's first sight opens it
    try:
        steps = {}
        for step, handle, event_of_step in (
            ("reserve", BILLING.on_requested, asked),
            ("settle", BILLING.on_completed, completion_of(asked, asked.units)),
        ):
            sent.clear()
            async with sessions() as session, session.begin():
                [answer] = await handle(session, event_of_step)
            steps[step] = [verb for verb in sent if verb != "BEGIN"]
        assert answer.type == "operation.settled" and answer.charged_credits > 0
    finally:
        await engine.dispose()
    if engine.dialect.name == "postgresql":
        assert steps == {"reserve": ["SELECT", "SELECT", "SELECT", "WITH"], "settle": ["SELECT", "WITH"]}
    else:  # SQLite has no writes in WITH: the same rows, one statement each
        assert steps["reserve"] == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT", "UPDATE"]
        assert steps["settle"] == ["SELECT", "UPDATE", "UPDATE", "INSERT"]


async def test_reservations_and_settlements_of_one_account_side_by_side(database_url):
    """Writes sent together run in no set order on PostgreSQL: reservations and partial settlements of one
    account at once must still end without a deadlock, with the totals and the running usage agreeing."""
    engine = db.make_engine(database_url)
    await upgrade(engine, MIGRATIONS)
    sessions = db.session_factory(engine)
    first = [requested("sam") for _ in range(12)]
    later = [requested("sam") for _ in range(12)]

    async def in_transaction(handle, event_to_handle):
        async with sessions() as session, session.begin():
            return await handle(session, event_to_handle)

    try:
        async with sessions() as session, session.begin():
            await account_service.set_plan(session, "sam", "enterprise")
            await account_service.grant(session, "sam", 1000, "enough for every request here", "g-1")
        for asked in first:
            [approved] = await in_transaction(BILLING.on_requested, asked)
            assert approved.type == "operation.approved", approved
        settled = [in_transaction(BILLING.on_completed, completion_of(asked, 1)) for asked in first]
        reserved = [in_transaction(BILLING.on_requested, asked) for asked in later]
        answers = await asyncio.gather(
            *(step for pair in zip(settled, reserved, strict=True) for step in pair)
        )
        assert {answer.type for [answer] in answers} == {"operation.settled", "operation.approved"}
        async with sessions() as session:
            assert await usage_rows(session) == await usage_from_holds(session)
            pending = await session.scalar(
                select(func.sum(holds.c.credits)).where(holds.c.status == "pending")
            )
            account = (await session.execute(select(accounts))).mappings().one()
            posted = await session.scalar(select(func.sum(holds.c.charged)))
        assert (account["pending"], account["posted"]) == (pending, posted)
        assert posted == len(first) and pending == 2 * len(later)
    finally:
        await engine.dispose()
