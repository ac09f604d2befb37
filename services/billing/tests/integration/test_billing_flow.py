"""Billing against real RabbitMQ and a real database: holds, posts, voids, replays, overdraft, cancels,
DLQ."""

import asyncio

import httpx
from sqlalchemy import func, select, update

from studio_billing.adapters.tables import accounts, entries, holds
from studio_billing.domain.plans import PLANS
from studio_billing.entrypoints.app import create_app
from studio_billing.settings import BillingSettings
from studio_common.claims import ClaimError, HoldClaims
from studio_common.events import (
    OperationApproved,
    OperationCanceled,
    OperationCancelRequested,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
    OutputRef,
)
from studio_common.ids import new_id
from studio_common.testing.apps import running, service_headers, signed_as
from studio_common.testing.events import completion_of
from studio_common.testing.recorder import EventRecorder


def gateway_as(app, user_id: str) -> dict[str, str]:
    return service_headers(app, "gateway", user_id)


async def balance_of(client, app, user_id: str) -> dict:
    response = await client.get("/internal/account/balance", headers=gateway_as(app, user_id))
    assert response.status_code == 200, response.text
    return response.json()


def make_settings(bus_names, database_url, **overrides) -> BillingSettings:
    return BillingSettings(
        amqp_url="amqp://guest:guest@127.0.0.1:5672/",
        database_url=database_url,
        sweep_interval_seconds=0.3,
        **bus_names,
        **overrides,
    )


def requested(
    user: str, units: int = 1, kind: str = "create", model: str = "local-render"
) -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(),
        user_id=user,
        kind=kind,
        provider="local",
        model=model,
        units=units,
        params={"prompt": "a lighthouse"},
    )


async def test_hold_then_partial_post(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = requested("alice", units=4)
        await bus.publish(req)
        [approved] = await bus.wait_count(OperationApproved, 1)
        assert (approved.credits, approved.unit_credits, approved.params["prompt"]) == (4, 1, "a lighthouse")
        balance = await balance_of(client, app, "alice")
        assert (balance["plan"], balance["available_credits"], balance["pending_credits"]) == ("free", 196, 4)

        await bus.publish(completion_of(req, delivered=3))
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert (settled.charged_credits, settled.released_credits) == (3, 1)
        balance = await balance_of(client, app, "alice")
        assert (balance["available_credits"], balance["pending_credits"]) == (197, 0)
        async with app.state.runtime.sessions() as session:  # running totals agree with the immutable entries
            account = (await session.execute(select(accounts).where(accounts.c.user_id == "alice"))).one()
            entry_sum = await session.scalar(
                select(func.sum(entries.c.credits)).where(entries.c.user_id == "alice")
            )
        assert entry_sum == account.granted - account.posted == 197 and account.pending == 0
        usage = (await client.get("/internal/account/usage", headers=gateway_as(app, "alice"))).json()
        assert usage["quotas"]["images"] == {"limit": 10, "used": 3}
        assert usage["by_kind"][0]["charged_credits"] == 3


async def test_replayed_events_change_nothing(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = requested("bob", units=2)
        first = await bus.publish(req)
        await bus.publish_envelope(first)  # the same event id again (I7)
        await bus.publish(req)  # the same operation under a new event id (a gateway retry)
        await bus.wait_count(OperationApproved, 1)
        done = completion_of(req, delivered=2)
        for _ in range(3):
            await bus.publish(done)
        await bus.wait_count(OperationSettled, 1)
        await asyncio.sleep(1.0)
        assert len(bus.of_type(OperationApproved)) == 1
        assert len(bus.of_type(OperationSettled)) == 1
        runtime = app.state.runtime
        async with runtime.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(holds)) == 1
            posts = await session.scalar(
                select(func.count()).select_from(entries).where(entries.c.entry_type == "post")
            )
            assert posts == 1
        balance = await balance_of(client, app, "bob")
        assert balance["available_credits"] == 198


async def test_quota_rejection_names_limit_and_usage(bus_names, amqp_url, tmp_path):
    app = create_app(make_settings(bus_names, f"sqlite+aiosqlite:///{tmp_path}/b.db"))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await bus.publish(requested("carol", units=11))
        [rejected] = await bus.wait_count(OperationRejected, 1)
        assert rejected.reason == "quota_exceeded"
        assert (rejected.limit, rejected.usage) == (10, 0) and rejected.resets_at is not None
        assert "10 images" in rejected.message
        balance = await balance_of(client, app, "carol")
        assert (balance["available_credits"], balance["pending_credits"]) == (200, 0)


async def test_no_overdraft_under_concurrency(bus_names, postgres_database, amqp_url):
    """I1: 50 concurrent requests against a balance that covers exactly 20."""
    settings = make_settings(bus_names, postgres_database, price_overrides={"local/local-render": 10})
    app = create_app(settings)
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await balance_of(client, app, "dave")  # opens the account with the free grant: 200
        runtime = app.state.runtime
        async with runtime.sessions() as session, session.begin():  # lift the quotas, keep the 200 credits
            await session.execute(
                update(accounts).where(accounts.c.user_id == "dave").values(plan="enterprise")
            )
        await asyncio.gather(*(bus.publish(requested("dave")) for _ in range(50)))
        await bus.wait_for(
            lambda _: len(bus.of_type(OperationApproved)) + len(bus.of_type(OperationRejected)) == 50,
            timeout=60,
        )
        assert len(bus.of_type(OperationApproved)) == 20
        rejected = bus.of_type(OperationRejected)
        assert len(rejected) == 30 and {r.reason for r in rejected} == {"insufficient_credits"}
        balance = await balance_of(client, app, "dave")
        assert (balance["available_credits"], balance["pending_credits"]) == (0, 200)
        async with runtime.sessions() as session:
            pending = await session.scalar(
                select(func.sum(holds.c.credits)).where(holds.c.status == "pending")
            )
        assert pending == 200


async def test_sweeper_expires_holds_not_started(bus_names, amqp_url, tmp_path):
    settings = make_settings(bus_names, f"sqlite+aiosqlite:///{tmp_path}/b.db", hold_timeout_seconds=1)
    app = create_app(settings)
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await bus.publish(requested("erin", units=2))
        await bus.wait_count(OperationApproved, 1)
        [expired] = await bus.wait_count(OperationExpired, 1, timeout=10)
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert (settled.charged_credits, settled.released_credits) == (0, 2)
        balance = await balance_of(client, app, "erin")
        assert (balance["available_credits"], balance["pending_credits"]) == (200, 0)
        assert expired.operation_id == bus.of_type(OperationApproved)[0].operation_id


def cancel_of(req) -> OperationCancelRequested:
    return OperationCancelRequested(operation_id=req.operation_id, user_id=req.user_id)


async def approved(bus, user: str, units: int):
    req = requested(user, units=units)
    await bus.publish(req)
    await bus.wait_count(OperationApproved, 1)
    return req


async def claim(client, req, worker: str = "w1") -> tuple[int, str]:
    """As a worker claims: with the generation worker's service token and its instance id."""
    headers = service_headers(client._transport.app, "generation")
    response = await client.post(
        f"/internal/holds/{req.operation_id}/claim", json={"worker": worker}, headers=headers
    )
    return response.status_code, response.json()["outcome"]


async def test_cancel_while_running_stops_the_worker_at_its_next_claim(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = await approved(bus, "carol", units=5)
        assert await claim(client, req) == (200, "claimed")
        assert await claim(client, req) == (200, "resumed")  # the next step: no cancel yet
        for _ in range(2):  # a double click is one cancel
            await bus.publish(cancel_of(req))
        for _ in range(50):
            if (await claim(client, req))[1] == "cancel_requested":
                break
            await asyncio.sleep(0.1)
        assert await claim(client, req) == (409, "cancel_requested")
        assert not bus.of_type(OperationCanceled)  # the worker decides what is done; billing waits for it

        outputs = [
            OutputRef(index=i, storage_key=f"k/{i}", content_type="image/png", bytes=1) for i in range(2)
        ]
        await bus.publish(
            OperationCompleted(
                operation_id=req.operation_id,
                user_id="carol",
                kind="create",
                provider="local",
                model="local-render",
                outputs=outputs,
                units_delivered=2,
                units_canceled=3,
            )
        )
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert (settled.charged_credits, settled.released_credits) == (2, 3)
        balance = await balance_of(client, app, "carol")
        assert (balance["available_credits"], balance["pending_credits"]) == (198, 0)


async def test_claims_made_together_go_in_one_call_and_each_gets_its_own_outcome(
    bus_names, database_url, amqp_url
):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app), EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        waiting, canceled = requested("fay"), requested("fay")
        for req in (waiting, canceled):
            await bus.publish(req)
        await bus.wait_count(OperationApproved, 2)
        await bus.publish(cancel_of(canceled))
        await bus.wait_count(OperationCanceled, 1)
        paths: list[str] = []

        async def record(request):
            paths.append(request.url.path)

        worker = HoldClaims(
            "http://billing",
            client=httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://billing",
                auth=signed_as(app, "generation"),
                event_hooks={"request": [record]},
            ),
        )
        ids = [waiting.operation_id, canceled.operation_id, new_id()]
        outcomes = await asyncio.gather(*(worker.claim(i) for i in ids), return_exceptions=True)
        assert outcomes[:2] == ["claimed", "voided"]
        assert isinstance(outcomes[2], ClaimError)  # no hold: billing may not have it yet, try later
        assert paths == ["/internal/holds/claims"]
        assert await worker.claim(waiting.operation_id) == "resumed"  # alone: its own call
        assert paths[1:] == [f"/internal/holds/{waiting.operation_id}/claim"]
        await worker.aclose()


async def test_a_worker_canceled_before_any_output_voids_the_hold(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = await approved(bus, "dave", units=3)
        await claim(client, req)
        await bus.publish(
            OperationCanceled(operation_id=req.operation_id, user_id="dave", reason="canceled while running")
        )
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert (settled.charged_credits, settled.released_credits) == (0, 3)
        assert (await balance_of(client, app, "dave"))["available_credits"] == 200


async def test_a_cancel_that_overtakes_its_request_is_remembered_once(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = requested("erin", units=1)
        await bus.publish(cancel_of(req))
        await bus.publish(cancel_of(req))  # under a new event id: must not break on the remembered cancel
        await asyncio.sleep(0.5)
        await bus.publish(req)
        [canceled] = await bus.wait_count(OperationCanceled, 1)
        assert canceled.operation_id == req.operation_id and not bus.of_type(OperationApproved)
        assert (await balance_of(client, app, "erin"))["pending_credits"] == 0


async def test_switching_back_to_a_plan_in_the_same_period_grants_it_once(bus_names, database_url):
    """Found by fuzzing: the second switch to a plan re-inserted its grant entry and failed (500)."""
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client:
        for plan in ("pro", "free", "pro", "pro"):
            response = await client.put(
                "/internal/accounts/fay/plan", json={"plan": plan}, headers=service_headers(app)
            )
            assert response.status_code == 200, response.text
        balance = await balance_of(client, app, "fay")
    # the Free grant on first use, then Pro's grant once; switching back to Free adds Free's grant once
    free, pro = PLANS["free"].monthly_credits, PLANS["pro"].monthly_credits
    assert balance["plan"] == "pro" and balance["available_credits"] == free + pro + free


async def test_a_stalled_worker_loses_its_lease_and_the_operation_is_queued_again(
    bus_names, database_url, amqp_url
):
    app = create_app(make_settings(bus_names, database_url, lease_seconds=0.5))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = await approved(bus, "ivy", units=2)
        assert await claim(client, req, "w1") == (200, "claimed")
        assert await claim(client, req, "w2") == (409, "leased")  # w1's heartbeat keeps it
        assert await claim(client, req, "w1") == (200, "resumed")
        # w1 stops renewing: the sweeper queues the approval again, for any worker
        await bus.wait_count(OperationApproved, 2, timeout=10)
        first, again = bus.of_type(OperationApproved, req.operation_id)
        assert (again.hold_id, again.credits, again.params) == (first.hold_id, first.credits, first.params)
        assert await claim(client, req, "w2") == (200, "claimed")
        assert await claim(client, req, "w1") == (409, "leased")  # the stalled worker must stop
        await bus.publish(completion_of(req, delivered=2))
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert settled.charged_credits == 2


async def test_a_running_operation_past_its_deadline_fails_and_is_not_charged(
    bus_names, database_url, amqp_url
):
    app = create_app(make_settings(bus_names, database_url, running_timeout_seconds=1, lease_seconds=30))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        req = await approved(bus, "jon", units=1)
        assert await claim(client, req) == (200, "claimed")
        [failed] = await bus.wait_count(OperationFailed, 1, timeout=10)
        assert (failed.operation_id, failed.code) == (req.operation_id, "timeout")
        [settled] = await bus.wait_count(OperationSettled, 1)
        assert settled.charged_credits == 0
        assert await claim(client, req) == (409, "voided")
