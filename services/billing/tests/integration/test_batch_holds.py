"""Batch reservations against real RabbitMQ and a real database (SQLite and PostgreSQL): one hold for the
whole batch, rows drawing from it and never from the free balance, the rest released once; concurrent
confirms never overdraw (I1) and every hold resolves once (I2)."""

import asyncio
from contextlib import asynccontextmanager

from sqlalchemy import select

from studio_billing.adapters.tables import accounts, batch_holds, holds
from studio_billing.entrypoints.app import create_app
from studio_billing.settings import BillingSettings
from studio_common.events import (
    OperationApproved,
    OperationFailed,
    OperationRejected,
    OperationRequested,
    OperationSettled,
)
from studio_common.ids import new_id
from studio_common.testing.apps import running, service_headers, signed_as
from studio_common.testing.events import completion_of
from studio_common.testing.recorder import EventRecorder


def app_for(bus_names, database_url):
    return create_app(BillingSettings(database_url=database_url, sweep_interval_seconds=0.3, **bus_names))


@asynccontextmanager
async def as_batch_service(app):
    """Billing in-process, called as the batch service calls it: with its token for batch holds."""
    async with running(app) as client:
        client.auth = signed_as(app, "batch")
        yield client


def creates(count: int, units: int = 1) -> dict:
    return {"kind": "create", "provider": "local", "model": "local-render", "units": units, "count": count}


def row(user: str, batch_id: str, units: int = 1) -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(),
        user_id=user,
        kind="create",
        provider="local",
        model="local-render",
        units=units,
        batch_id=batch_id,
        params={"prompt": "p"},
    )


async def balance(client, user):
    """The user's balance as the gateway reads it (the batch service may only use batch holds)."""
    headers = service_headers(client._transport.app, "gateway", user)
    return (await client.get("/internal/account/balance", headers=headers)).json()


async def test_rows_draw_from_the_batch_hold_and_the_rest_is_released(bus_names, database_url, amqp_url):
    app = app_for(bus_names, database_url)
    async with as_batch_service(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        preview = (
            await client.post("/internal/batch-holds/preview", json={"user_id": "ann", "items": [creates(4)]})
        ).json()
        assert (preview["total_credits"], preview["covered"], preview["available_credits"]) == (4, True, 200)
        assert preview["by_kind"] == [{"kind": "create", "rows": 4, "credits": 4}]
        assert preview["quotas_remaining"]["images"] == 10
        reserved = await client.post(
            "/internal/batch-holds",
            json={"user_id": "ann", "batch_id": "b1", "hold_id": "h1", "items": [creates(4)]},
        )
        assert reserved.status_code == 201 and reserved.json()["remaining_credits"] == 4
        again = await client.post(
            "/internal/batch-holds",
            json={  # a repeated confirm reserves nothing more
                "user_id": "ann",
                "batch_id": "b1",
                "hold_id": "h1",
                "items": [creates(4)],
            },
        )
        assert again.status_code == 201
        assert (await balance(client, "ann"))["available_credits"] == 196

        rows = [row("ann", "b1") for _ in range(3)]
        for r in rows:
            await bus.publish(r)
        await bus.wait_count(OperationApproved, 3)
        assert (await balance(client, "ann"))["pending_credits"] == 4  # drawn, not added
        await bus.publish(completion_of(rows[0], 1))
        await bus.publish(completion_of(rows[1], 1))
        await bus.publish(
            OperationFailed(
                operation_id=rows[2].operation_id,
                user_id="ann",
                batch_id="b1",
                code="provider_error",
                message="x",
            )
        )
        await bus.wait_count(OperationSettled, 3)
        released = (await client.post("/internal/batch-holds/h1/release")).json()
        assert (released["status"], released["released_credits"]) == ("released", 1)
        twice = (await client.post("/internal/batch-holds/h1/release")).json()
        assert twice["released_credits"] == 1  # resolves once (I2)
        final = await balance(client, "ann")
        assert (final["available_credits"], final["pending_credits"], final["posted_credits"]) == (198, 0, 2)

        late = row(
            "ann", "b1"
        )  # the batch's reservation is closed: a late row never touches the free balance
        await bus.publish(late)
        await bus.wait_count(OperationRejected, 1)
        assert (await balance(client, "ann"))["available_credits"] == 198


async def test_a_row_beyond_the_reservation_is_rejected(bus_names, database_url, amqp_url):
    app = app_for(bus_names, database_url)
    async with as_batch_service(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        await client.post(
            "/internal/batch-holds",
            json={"user_id": "bo", "batch_id": "b2", "hold_id": "h2", "items": [creates(1)]},
        )
        first, second = row("bo", "b2"), row("bo", "b2")
        await bus.publish(first)
        await bus.wait_count(OperationApproved, 1)
        await bus.publish(second)
        [rejected] = await bus.wait_count(OperationRejected, 1)
        assert rejected.operation_id == second.operation_id and "reservation" in rejected.message
        assert (await balance(client, "bo"))["available_credits"] == 199


async def test_quotas_and_balance_decide_the_whole_batch(bus_names, database_url, amqp_url):
    app = app_for(bus_names, database_url)
    async with as_batch_service(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        too_many = await client.post(
            "/internal/batch-holds",
            json={"user_id": "cy", "batch_id": "b3", "hold_id": "h3", "items": [creates(11)]},
        )
        assert too_many.status_code == 409 and too_many.json()["detail"]["reason"] == "quota_exceeded"
        assert (await balance(client, "cy"))["pending_credits"] == 0
        ok = await client.post(
            "/internal/batch-holds",
            json={"user_id": "cy", "batch_id": "b4", "hold_id": "h4", "items": [creates(8)]},
        )
        assert ok.status_code == 201
        # The batch's unused quota is reserved too: an ordinary operation cannot take it.
        single = OperationRequested(
            operation_id=new_id(),
            user_id="cy",
            kind="create",
            provider="local",
            model="local-render",
            units=3,
        )
        await bus.publish(single)
        [rejected] = await bus.wait_count(OperationRejected, 1)
        assert rejected.reason == "quota_exceeded"
        preview = (
            await client.post("/internal/batch-holds/preview", json={"user_id": "cy", "items": [creates(3)]})
        ).json()
        assert preview["covered"] is False and preview["not_covered"]["reason"] == "quota_exceeded"
        assert preview["quotas_remaining"]["images"] == 2


async def test_concurrent_confirms_never_overdraw(bus_names, database_url):
    app = app_for(bus_names, database_url)
    async with as_batch_service(app) as client:
        await client.put(
            "/internal/accounts/dee/plan",
            json={"plan": "enterprise"},
            headers=service_headers(app, "gateway"),
        )
        available = (await balance(client, "dee"))["available_credits"]
        per_batch = 4_000
        answers = await asyncio.gather(
            *(
                client.post(
                    "/internal/batch-holds",
                    json={
                        "user_id": "dee",
                        "batch_id": f"c{i}",
                        "hold_id": f"hc{i}",
                        "items": [creates(per_batch)],
                    },
                )
                for i in range(10)
            )
        )
        accepted = [a for a in answers if a.status_code == 201]
        assert len(accepted) == available // per_batch
        assert all(
            a.json()["detail"]["reason"] == "insufficient_credits" for a in answers if a.status_code == 409
        )
        after = await balance(client, "dee")
        assert after["available_credits"] == available - per_batch * len(accepted) >= 0
        await asyncio.gather(
            *(
                client.post(f"/internal/batch-holds/{a.json()['hold_id']}/release")
                for a in accepted
                for _ in range(2)
            )
        )  # released twice, concurrently
        async with app.state.runtime.sessions() as session:
            account = (await session.execute(select(accounts).where(accounts.c.user_id == "dee"))).one()
            statuses = (
                await session.execute(
                    select(batch_holds.c.status, batch_holds.c.released_credits).where(
                        batch_holds.c.user_id == "dee"
                    )
                )
            ).all()
            open_holds = (await session.execute(select(holds).where(holds.c.status == "pending"))).all()
        assert account.pending == 0 and account.granted - account.posted == available
        assert statuses == [("released", per_batch)] * len(accepted) and open_holds == []
