"""Billing's handlers as plain calls: a session on a throw-away SQLite file, an event in, events out.
No broker: what the handlers decide is tested here; delivery is tested on RabbitMQ in integration/."""

from datetime import timedelta

import pytest

from studio_billing.adapters.tables import metadata
from studio_billing.domain.leases import LeaseTerms
from studio_billing.domain.pricing import PriceTable
from studio_billing.service_layer import dead_letters
from studio_billing.service_layer.handlers import Billing
from studio_billing.service_layer.work import Work
from studio_common import db
from studio_common.events import (
    Envelope,
    OperationApproved,
    OperationCompleted,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
    OutputRef,
)
from studio_common.ids import new_id


@pytest.fixture
async def sessions(tmp_path):
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/billing.db")
    await db.create_schema(engine, metadata)
    yield db.session_factory(engine)
    await engine.dispose()


BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))
WORK = Work(BILLING, LeaseTerms(lease=timedelta(seconds=15), running_timeout=timedelta(hours=1)))


def request(user: str = "kim", units: int = 2, model: str = "local-render") -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(), user_id=user, kind="create", provider="local", model=model, units=units
    )


async def call(sessions, handler, *args):
    async with sessions() as session, session.begin():
        return await handler(session, *args)


async def test_a_request_is_approved_with_its_price_held(sessions):
    [approved] = await call(sessions, BILLING.on_requested, request(units=2))
    assert isinstance(approved, OperationApproved) and (approved.credits, approved.unit_credits) == (2, 1)


async def test_a_request_already_decided_is_not_approved_twice(sessions):
    req = request()
    await call(sessions, BILLING.on_requested, req)
    assert await call(sessions, BILLING.on_requested, req.model_copy()) == []


async def test_an_unknown_model_is_rejected_as_invalid(sessions):
    [rejected] = await call(sessions, BILLING.on_requested, request(model="no-such-model"))
    assert isinstance(rejected, OperationRejected) and rejected.reason == "invalid_request"


async def test_completion_posts_what_was_delivered_once(sessions):
    req = request(units=3)
    await call(sessions, BILLING.on_requested, req)
    outputs = [OutputRef(index=0, storage_key="k", content_type="image/png", bytes=1)]
    done = OperationCompleted(
        operation_id=req.operation_id,
        user_id="kim",
        kind="create",
        provider="local",
        model="local-render",
        outputs=outputs,
        units_delivered=1,
        units_failed=2,
    )
    [settled] = await call(sessions, BILLING.on_completed, done)
    assert (settled.charged_credits, settled.released_credits) == (1, 2)
    assert await call(sessions, BILLING.on_completed, done) == []  # I2: resolved once


async def test_claims_lease_the_work_to_one_worker(sessions):
    req = request()
    await call(sessions, BILLING.on_requested, req)
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "claimed"
    assert (await call(sessions, WORK.claim, req.operation_id, "w2"))[0] == "leased"
    assert (await call(sessions, WORK.claim, "no-such-operation", "w1"))[0] == "unknown"


async def test_a_dead_lettered_request_fails_its_operation_and_blocks_a_late_approval(sessions):
    req = request()
    body = Envelope.wrap(req, "gateway").model_dump_json().encode()
    emitted = await call(sessions, dead_letters.record, BILLING, "billing", body, {"x-death": []}, "m-1")
    assert [type(e) for e in emitted] == [OperationFailed, OperationSettled]
    assert emitted[0].code == "internal_error" and emitted[1].charged_credits == 0
    assert await call(sessions, BILLING.on_requested, req) == []  # a replay cannot approve it any more


async def test_a_dead_lettered_approval_voids_the_hold(sessions):
    req = request(units=2)
    [approved] = await call(sessions, BILLING.on_requested, req)
    body = Envelope.wrap(approved, "billing").model_dump_json().encode()
    emitted = await call(sessions, dead_letters.record, BILLING, "generation", body, {}, "m-2")
    assert [type(e) for e in emitted] == [OperationFailed, OperationSettled]
    assert emitted[1].released_credits == 2
    async with sessions() as session:
        [letter] = await dead_letters.listing(session, "resolved")
    assert (letter["queue"], letter["operation_id"]) == ("generation", req.operation_id)


async def test_a_read_model_dead_letter_is_parked_for_an_operator(sessions):
    done = OperationCompleted(
        operation_id=new_id(),
        user_id="kim",
        kind="create",
        provider="local",
        model="local-render",
        outputs=[],
        units_delivered=0,
    )
    body = Envelope.wrap(done, "generation").model_dump_json().encode()
    assert await call(sessions, dead_letters.record, BILLING, "gateway", body, {}, "m-3") == []
    async with sessions() as session:
        assert [x["status"] for x in await dead_letters.listing(session, None)] == ["parked"]
