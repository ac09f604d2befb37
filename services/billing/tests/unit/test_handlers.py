"""Billing's handlers as plain calls: a session on a throw-away SQLite file, an event in, events out.
No broker: what the handlers decide is tested here; delivery is tested on RabbitMQ in integration/."""

from datetime import timedelta

import pytest

from studio_billing.adapters.tables import metadata
from studio_billing.domain.leases import LeaseTerms
from studio_billing.domain.pricing import PriceTable
from studio_billing.service_layer import accounts, dead_letters
from studio_billing.service_layer.handlers import Billing
from studio_billing.service_layer.work import Work
from studio_common import db
from studio_common.events import (
    Envelope,
    OperationApproved,
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
)
from studio_common.ids import new_id
from studio_common.testing.events import completion_of


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


def video(user: str = "kim", seconds: int = 10, model: str = "wan-2.5-1080p") -> OperationRequested:
    """Priced by the second: wan-2.5-1080p costs 15 credits a second and counts once against videos."""
    return OperationRequested(
        operation_id=new_id(),
        user_id=user,
        domain="transform",
        kind="transform.video",
        provider="wavespeed",
        model=model,
        units=seconds,
    )


def cancel(req: OperationRequested) -> OperationCancelRequested:
    return OperationCancelRequested(operation_id=req.operation_id, user_id=req.user_id)


async def balance(sessions, user: str = "kim") -> tuple[int, int, int]:
    """(available, pending, posted) credits."""
    found = await call(sessions, accounts.balance, user)
    return found["available_credits"], found["pending_credits"], found["posted_credits"]


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
    done = completion_of(req, 1)
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


# ------------------------------------------------------------------------------------------- rejections


async def test_more_images_than_the_plan_allows_are_rejected_by_quota(sessions):
    [rejected] = await call(sessions, BILLING.on_requested, request(units=11))  # the free plan allows 10
    assert isinstance(rejected, OperationRejected)
    assert (rejected.reason, rejected.limit, rejected.usage, rejected.estimated_credits) == (
        "quota_exceeded",
        10,
        0,
        11,
    )
    assert rejected.resets_at is not None
    assert await balance(sessions) == (200, 0, 0)  # nothing held


async def test_a_request_over_the_monthly_spend_cap_is_rejected_even_with_credits_to_spare(sessions):
    await call(sessions, accounts.grant, "kim", 1_000, "support", "g-1")
    [rejected] = await call(sessions, BILLING.on_requested, video(seconds=14))  # 210 > the cap of 200
    assert (rejected.reason, rejected.limit, rejected.estimated_credits) == ("quota_exceeded", 200, 210)
    assert "spend cap" in rejected.message
    assert await balance(sessions) == (1_200, 0, 0)


async def test_a_request_costing_more_than_the_balance_is_rejected_for_credits(sessions):
    await call(sessions, accounts.set_plan, "kim", "pro")  # 200 + 8 000 credits, a cap of 10 000
    [rejected] = await call(sessions, BILLING.on_requested, video(seconds=600))  # 9 000 credits
    assert (rejected.reason, rejected.limit, rejected.usage) == ("insufficient_credits", 8_200, 9_000)
    assert await balance(sessions) == (8_200, 0, 0)


async def test_credits_already_held_count_against_the_balance(sessions):
    await call(sessions, accounts.set_plan, "kim", "pro")
    [first] = await call(sessions, BILLING.on_requested, video(seconds=300))  # 4 500 held
    assert isinstance(first, OperationApproved)
    [second] = await call(sessions, BILLING.on_requested, video(seconds=300))
    assert (second.reason, second.limit) == ("insufficient_credits", 3_700)
    assert await balance(sessions) == (3_700, 4_500, 0)


async def test_a_batch_row_without_an_open_batch_reservation_is_rejected(sessions):
    row = request().model_copy(update={"batch_id": "b-" + new_id()})
    [rejected] = await call(sessions, BILLING.on_requested, row)
    assert rejected.reason == "insufficient_credits" and "no open reservation" in rejected.message


# ------------------------------------------------------------------------------------------ settlement


async def test_an_approval_holds_the_credits_and_a_partial_settlement_releases_the_rest(sessions):
    req = request(units=3)
    await call(sessions, BILLING.on_requested, req)
    assert await balance(sessions) == (197, 3, 0)
    [settled] = await call(sessions, BILLING.on_completed, completion_of(req, 2))
    assert (settled.charged_credits, settled.released_credits) == (2, 1)
    assert await balance(sessions) == (198, 0, 2)


async def test_more_delivered_than_reserved_is_never_charged_beyond_the_hold(sessions):
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    [settled] = await call(sessions, BILLING.on_completed, completion_of(req, 3))
    assert (settled.charged_credits, settled.released_credits) == (2, 0)


@pytest.mark.parametrize("ending", ["failed", "canceled"])
async def test_a_failed_or_worker_canceled_operation_is_voided_once(sessions, ending):
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    ids = {"operation_id": req.operation_id, "user_id": "kim"}
    if ending == "failed":
        handler, event = BILLING.on_failed, OperationFailed(**ids, code="provider_error", message="down")
    else:
        handler, event = BILLING.on_canceled, OperationCanceled(**ids, reason="canceled while running")
    [settled] = await call(sessions, handler, event)
    assert (settled.charged_credits, settled.released_credits) == (0, 2)
    assert await call(sessions, handler, event) == []
    assert await call(sessions, BILLING.on_completed, completion_of(req, 2)) == []  # I2: too late to post
    assert await balance(sessions) == (200, 0, 0)


async def test_an_end_for_an_operation_billing_never_approved_changes_nothing(sessions):
    assert await call(sessions, BILLING.on_completed, completion_of(request(), 1)) == []
    assert await balance(sessions) == (200, 0, 0)


# ---------------------------------------------------------------------------------------------- cancels


async def test_a_cancel_before_approval_is_remembered_and_the_request_is_canceled(sessions):
    req = request()
    assert await call(sessions, BILLING.on_cancel_requested, cancel(req)) == []
    assert await call(sessions, BILLING.on_cancel_requested, cancel(req)) == []  # a repeat is harmless
    [canceled] = await call(sessions, BILLING.on_requested, req)
    assert isinstance(canceled, OperationCanceled) and canceled.operation_id == req.operation_id
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "unknown"  # no hold placed
    assert await balance(sessions) == (200, 0, 0)


async def test_a_cancel_after_approval_before_any_worker_voids_the_hold(sessions):
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    canceled, settled = await call(sessions, BILLING.on_cancel_requested, cancel(req))
    assert isinstance(canceled, OperationCanceled)
    assert (settled.charged_credits, settled.released_credits) == (0, 2)
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "voided"  # the worker drops it
    assert await balance(sessions) == (200, 0, 0)


async def test_a_cancel_while_running_reaches_the_worker_at_its_next_claim(sessions):
    req = request(units=3)
    await call(sessions, BILLING.on_requested, req)
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "claimed"
    assert await call(sessions, BILLING.on_cancel_requested, cancel(req)) == []  # the hold stays pending
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "cancel_requested"
    [settled] = await call(sessions, BILLING.on_completed, completion_of(req, 1))  # what was done is charged
    assert (settled.charged_credits, settled.released_credits) == (1, 2)


async def test_a_cancel_after_the_operation_ended_changes_nothing(sessions):
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    await call(sessions, BILLING.on_completed, completion_of(req, 2))
    assert await call(sessions, BILLING.on_cancel_requested, cancel(req)) == []
    assert await balance(sessions) == (198, 0, 2)


# ---------------------------------------------------------------------------------------------- expiry


async def test_an_expired_hold_charges_nothing_and_a_late_worker_drops_the_work(sessions):
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    expired = OperationExpired(operation_id=req.operation_id, user_id="kim")
    [settled] = await call(sessions, BILLING.on_expired, expired)
    assert (settled.charged_credits, settled.released_credits) == (0, 2)
    assert (await call(sessions, WORK.claim, req.operation_id, "w1"))[0] == "expired"


async def test_a_claim_after_the_deadline_expires_the_hold(sessions):
    impatient = Billing(PriceTable(), hold_timeout=timedelta(seconds=-1))  # approved past its deadline
    work = Work(impatient, LeaseTerms(lease=timedelta(seconds=15), running_timeout=timedelta(hours=1)))
    req = request(units=2)
    await call(sessions, impatient.on_requested, req)
    outcome, emitted = await call(sessions, work.claim, req.operation_id, "w1")
    assert outcome == "expired" and [type(e) for e in emitted] == [OperationExpired, OperationSettled]
    assert emitted[1].released_credits == 2
    assert await call(sessions, impatient.on_completed, completion_of(req, 2)) == []  # I2
    assert await balance(sessions) == (200, 0, 0)


async def test_running_work_past_its_time_fails_with_nothing_charged(sessions):
    hasty = Work(BILLING, LeaseTerms(lease=timedelta(seconds=15), running_timeout=timedelta(seconds=-1)))
    req = request(units=2)
    await call(sessions, BILLING.on_requested, req)
    assert (await call(sessions, hasty.claim, req.operation_id, "w1"))[0] == "claimed"
    outcome, [failed, settled] = await call(sessions, hasty.claim, req.operation_id, "w1")
    assert (outcome, failed.code, settled.charged_credits) == ("voided", "timeout", 0)
