"""Billing's row locks are taken in one order (a hold's, then its account's), so a cancel and a completion
of the same operation, arriving together, never deadlock on PostgreSQL: the cancel waits, then finds the
hold resolved. (SQLite has one writer and no row locks, so this is PostgreSQL's alone.)"""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from studio_billing.adapters import holds as hold_store
from studio_billing.adapters import repository as repo
from studio_billing.domain.leases import LeaseTerms
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints.app import MIGRATIONS
from studio_billing.service_layer.handlers import Billing
from studio_billing.service_layer.work import Work
from studio_common import db
from studio_common.events import OperationCancelRequested, OperationRequested
from studio_common.ids import new_id, utcnow
from studio_common.migrations import upgrade
from studio_common.testing.events import completion_of

BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))

WAITING_ON_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def until_one_waits(session) -> None:
    for _ in range(200):
        if await session.scalar(WAITING_ON_A_LOCK):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the cancel never waited for the hold's lock")


@pytest.fixture
async def sessions(postgres_database):
    engine = db.make_engine(postgres_database)
    await upgrade(engine, MIGRATIONS)
    yield db.session_factory(engine)
    await engine.dispose()


async def requested(sessions) -> OperationRequested:
    """An operation billing approved: its hold waits for a worker's first claim."""
    request = OperationRequested(
        operation_id=new_id(), user_id="ana", kind="create", provider="local", model="local-render", units=1
    )
    async with sessions() as session, session.begin():
        await BILLING.on_requested(session, request)
    return request


async def test_a_cancel_during_a_resolution_waits_for_it_and_does_not_deadlock(sessions):
    request = await requested(sessions)
    cancel = OperationCancelRequested(operation_id=request.operation_id, user_id="ana", domain=request.domain)

    async def cancel_in_its_own_transaction():
        async with sessions() as other, other.begin():
            return await BILLING.on_cancel_requested(other, cancel)

    async with sessions() as session, session.begin():
        # The completion takes the hold's lock first; the cancel arrives while it holds it.
        await repo.hold_for(session, request.operation_id, lock=True)
        canceling = asyncio.create_task(cancel_in_its_own_transaction())
        async with sessions() as observer:
            await until_one_waits(observer)
        # The resolution now moves the account's totals: had the cancel locked the account before
        # waiting for the hold, PostgreSQL would abort one of the two here as a deadlock.
        settled = await BILLING.on_completed(session, completion_of(request, 1))
    assert [event.charged_credits for event in settled] == [1]
    assert await asyncio.wait_for(canceling, 10) == []  # too late to cancel: the hold was posted
    async with sessions() as session:
        hold = await repo.hold_for(session, request.operation_id)
    assert hold["status"] == "posted"


async def test_a_cancel_remembered_beside_a_waiting_hold_stops_its_first_claim(sessions):
    """The cancel that found no hold and then waited for the request deciding it remembers the cancel
    rather than lock the new hold after the account; the worker's first claim must then hear it."""
    work = Work(BILLING, LeaseTerms(lease=timedelta(seconds=15), running_timeout=timedelta(minutes=5)))
    request = await requested(sessions)
    async with sessions() as session, session.begin():
        await hold_store.remember_cancel(session, request.operation_id, utcnow())
    async with sessions() as session, session.begin():
        assert await work.claim(session, request.operation_id, "worker-1") == ("cancel_requested", [])
