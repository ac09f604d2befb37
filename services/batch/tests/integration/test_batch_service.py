"""The batch service with billing, on real RabbitMQ and SQLite or PostgreSQL: a draft with an invalid row,
the preview, confirm as one reservation, the window, a failed row, the end state, the hold released, and
a retry of the failed row as a new attempt. The test plays the worker: it completes or fails each
approved row as a generation worker would."""

import asyncio

import httpx
import pytest

from studio_batch.adapters.billing import BillingClient
from studio_batch.domain.batches import row_operation_id
from studio_batch.entrypoints.app import create_app as create_batch_app
from studio_batch.settings import BatchSettings
from studio_billing.entrypoints.app import create_app as create_billing_app
from studio_billing.settings import BillingSettings
from studio_common.events import (
    OperationApproved,
    OperationCompleted,
    OperationFailed,
    OperationRequested,
    OutputRef,
)
from studio_common.service_auth import ServiceAuth, ServiceTokens
from studio_common.settings import CommonSettings
from studio_common.testing.apps import running, signed_as
from studio_common.testing.recorder import EventRecorder
from studio_common.testing.stacks import postgres_databases


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request, tmp_path):
    if request.param == "sqlite":
        yield {s: f"sqlite+aiosqlite:///{tmp_path}/{s}.db" for s in ("batch", "billing")}
        return
    request.getfixturevalue("postgres_server")
    with postgres_databases("batchit", ("batch", "billing")) as urls:
        yield urls


def billing_for(billing_app) -> BillingClient:
    """The batch service's client of billing, in-process, with the batch service's own token."""
    tokens = ServiceTokens(CommonSettings(service_name="batch"))
    return BillingClient(
        "http://billing",
        10,
        transport=httpx.ASGITransport(app=billing_app),
        auth=ServiceAuth(tokens, "billing", ("batch-holds",)),
    )


def request_for(prompt: str) -> dict:
    return {
        "domain": "generation",
        "kind": "create",
        "provider": "local",
        "model": "local-render",
        "units": 1,
        "params": {"prompt": prompt, "width": 64, "height": 64, "num_variations": 1},
        "inputs": {},
    }


class Worker:
    """Completes every approved batch row, except the rows it is told to fail (first attempt only)."""

    def __init__(self, bus: EventRecorder, fail_rows: set[int]) -> None:
        self.bus, self.fail_rows, self.done = bus, fail_rows, set()
        self.max_in_flight = 0

    async def run(self) -> None:
        while True:
            for approved in self.bus.of_type(OperationApproved):
                if approved.operation_id in self.done or approved.batch_id is None:
                    continue
                self.done.add(approved.operation_id)
                in_flight = (
                    len({r.operation_id for r in self.bus.of_type(OperationRequested)} - self.done) + 1
                )
                self.max_in_flight = max(self.max_in_flight, in_flight)
                await asyncio.sleep(0.05)
                if approved.batch_row in self.fail_rows:
                    self.fail_rows.discard(approved.batch_row)
                    await self.bus.publish(
                        OperationFailed(
                            operation_id=approved.operation_id,
                            user_id=approved.user_id,
                            batch_id=approved.batch_id,
                            code="provider_error",
                            message="the provider failed",
                        )
                    )
                    continue
                output = OutputRef(
                    index=0, storage_key=f"k/{approved.operation_id}", content_type="image/png", bytes=10
                )
                await self.bus.publish(
                    OperationCompleted(
                        operation_id=approved.operation_id,
                        user_id=approved.user_id,
                        batch_id=approved.batch_id,
                        kind="create",
                        provider="local",
                        model="local-render",
                        outputs=[output],
                        units_delivered=1,
                    )
                )
            await asyncio.sleep(0.05)


async def wait_state(client, batch_id: str, states: tuple[str, ...], timeout: float = 30) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        batch = (await client.get(f"/internal/batches/{batch_id}")).json()
        if batch["state"] in states and not (batch["credits"]["held"]):
            return batch
        await asyncio.sleep(0.1)
    raise AssertionError(f"batch not {states}: {batch}")


async def test_a_batch_runs_funded_by_one_reservation(bus_names, database_urls, amqp_url):
    billing_app = create_billing_app(BillingSettings(database_url=database_urls["billing"], **bus_names))
    async with running(billing_app) as billing_client:
        billing_client.auth = signed_as(billing_app, "gateway", "ann")
        billing = billing_for(billing_app)
        batch_app = create_batch_app(
            BatchSettings(
                database_url=database_urls["batch"],
                settle_interval_seconds=0.2,
                dispatch_interval_seconds=0.05,
                **bus_names,
            ),
            billing,
        )
        async with running(batch_app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
            client.auth = signed_as(batch_app, "gateway", "ann")
            batch_id = (
                await client.post("/internal/batches", json={"name": "spring", "concurrency": 2})
            ).json()["id"]
            rows = [
                {"row_number": n, "name": f"r{n}", "kind": "create", "request": request_for(f"p{n}")}
                for n in range(1, 7)
            ]
            rows[3] = {
                "row_number": 4,
                "kind": "create",
                "errors": [{"field": "prompt", "message": "required"}],
            }
            await client.post(f"/internal/batches/{batch_id}/rows", json={"rows": rows})
            draft = (await client.post(f"/internal/batches/{batch_id}/seal")).json()
            assert (draft["state"], draft["invalid_rows"], draft["preview"]["total_credits"]) == (
                "draft",
                1,
                5,
            )
            assert draft["preview"]["covered"] is True

            refused = await client.post(f"/internal/batches/{batch_id}/confirm")
            assert refused.status_code == 409 and "1 row(s) have errors" in refused.json()["detail"]
            worker = Worker(bus, fail_rows={2})
            task = asyncio.create_task(worker.run())
            try:
                confirmed = await client.post(
                    f"/internal/batches/{batch_id}/confirm", json={"skip_invalid": True}
                )
                assert confirmed.status_code == 200 and confirmed.json()["credits"]["reserved"] == 5
                balance = (await billing_client.get("/internal/account/balance")).json()
                assert balance["available_credits"] == 195
                ended = await wait_state(client, batch_id, ("completed_with_errors",))
                assert ended["counts"] == {"succeeded": 4, "failed": 1, "skipped": 1}
                assert ended["credits"] == {"reserved": 5, "charged": 4, "released": 1, "held": 0}
                assert worker.max_in_flight <= 2
                failed = (
                    await client.get(f"/internal/batches/{batch_id}/rows", params={"status": "failed"})
                ).json()["items"]
                assert [(r["row"], r["error"]) for r in failed] == [
                    (2, "provider_error: the provider failed")
                ]

                retried = (await client.post(f"/internal/batches/{batch_id}/retry")).json()
                assert retried["retried_rows"] == 1
                done = await wait_state(client, batch_id, ("completed",))
                assert done["credits"] == {"reserved": 6, "charged": 5, "released": 1, "held": 0}
            finally:
                task.cancel()
            [row2] = (
                await client.get(f"/internal/batches/{batch_id}/rows", params={"status": "succeeded"})
            ).json()["items"][1:2]
            assert row2["row"] == 2 and row2["attempt"] == 2
            assert row2["operation_id"] == row_operation_id(batch_id, 2, 2)
            assert row2["history"][0]["operation_id"] == row_operation_id(batch_id, 2, 1)
            requested = [r.operation_id for r in bus.of_type(OperationRequested)]
            assert len(requested) == len(set(requested)) == 6  # five rows once, one retried
            final = (await billing_client.get("/internal/account/balance")).json()
            assert (final["available_credits"], final["pending_credits"]) == (195, 0)


async def test_pause_resume_and_cancel(bus_names, database_urls, amqp_url):
    billing_app = create_billing_app(BillingSettings(database_url=database_urls["billing"], **bus_names))
    async with running(billing_app) as billing_client:
        billing_client.auth = signed_as(billing_app, "gateway", "ann")
        billing = billing_for(billing_app)
        batch_app = create_batch_app(
            BatchSettings(
                database_url=database_urls["batch"],
                settle_interval_seconds=0.2,
                dispatch_interval_seconds=0.05,
                **bus_names,
            ),
            billing,
        )
        async with running(batch_app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
            client.auth = signed_as(batch_app, "gateway", "ann")
            batch_id = (await client.post("/internal/batches", json={"concurrency": 1})).json()["id"]
            rows = [{"row_number": n, "kind": "create", "request": request_for(f"p{n}")} for n in range(1, 6)]
            await client.post(f"/internal/batches/{batch_id}/rows", json={"rows": rows})
            await client.post(f"/internal/batches/{batch_id}/seal")
            await client.post(f"/internal/batches/{batch_id}/confirm")

            async def complete(number: int) -> None:
                await bus.wait_for(
                    lambda _: any(a.batch_row == number for a in bus.of_type(OperationApproved))
                )
                [approved] = [a for a in bus.of_type(OperationApproved) if a.batch_row == number]
                output = OutputRef(index=0, storage_key="k", content_type="image/png", bytes=1)
                await bus.publish(
                    OperationCompleted(
                        operation_id=approved.operation_id,
                        user_id="ann",
                        batch_id=batch_id,
                        kind="create",
                        provider="local",
                        model="local-render",
                        outputs=[output],
                        units_delivered=1,
                    )
                )

            await bus.wait_count(OperationApproved, 1)
            paused = (await client.post(f"/internal/batches/{batch_id}/pause")).json()
            assert paused["state"] == "paused"
            await complete(1)  # a running row finishes while paused; no new row starts
            await asyncio.sleep(1.0)
            assert len(bus.of_type(OperationRequested)) == 1
            await client.post(f"/internal/batches/{batch_id}/resume")
            await bus.wait_count(OperationApproved, 2)
            canceled = (await client.post(f"/internal/batches/{batch_id}/cancel")).json()
            assert canceled["counts"]["canceled"] == 3  # the pending rows; row 2 is asked to stop
            ended = await wait_state(client, batch_id, ("canceled",))
            assert ended["counts"] == {"succeeded": 1, "canceled": 4}
            assert ended["credits"] == {"reserved": 5, "charged": 1, "released": 4, "held": 0}
            balance = (await billing_client.get("/internal/account/balance")).json()
            assert (balance["available_credits"], balance["pending_credits"]) == (199, 0)
            assert len(bus.of_type(OperationRequested)) == 2


async def test_a_failed_row_stops_a_batch_that_does_not_continue_on_error(bus_names, database_urls, amqp_url):
    billing_app = create_billing_app(BillingSettings(database_url=database_urls["billing"], **bus_names))
    async with running(billing_app):
        billing = billing_for(billing_app)
        batch_app = create_batch_app(
            BatchSettings(
                database_url=database_urls["batch"],
                settle_interval_seconds=0.2,
                dispatch_interval_seconds=0.05,
                **bus_names,
            ),
            billing,
        )
        async with running(batch_app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
            client.auth = signed_as(batch_app, "gateway", "ann")
            batch_id = (
                await client.post("/internal/batches", json={"concurrency": 1, "continue_on_error": False})
            ).json()["id"]
            rows = [{"row_number": n, "kind": "create", "request": request_for(f"p{n}")} for n in range(1, 6)]
            await client.post(f"/internal/batches/{batch_id}/rows", json={"rows": rows})
            await client.post(f"/internal/batches/{batch_id}/seal")
            task = asyncio.create_task(Worker(bus, fail_rows={2}).run())
            try:
                await client.post(f"/internal/batches/{batch_id}/confirm")
                ended = await wait_state(client, batch_id, ("failed",))
            finally:
                task.cancel()
            assert ended["counts"] == {"succeeded": 1, "failed": 1, "canceled": 3}
            assert ended["stop_reason"] == "row 2 failed and continue_on_error is off"
            assert ended["credits"] == {"reserved": 5, "charged": 1, "released": 4, "held": 0}
            assert len(bus.of_type(OperationRequested)) == 2


# Concurrency on PostgreSQL: confirms of one batch racing each other reserve it once; two batch service
# replicas sharing one database send every row once (the window takes each batch under SKIP LOCKED, and a
# row's operation id derives from batch, row and attempt).
REPLICA_ROWS = 40


@pytest.fixture
def databases(postgres_server):
    with postgres_databases("batchcc", ("batch", "billing")) as urls:
        yield urls


def batch_settings(urls, bus_names) -> BatchSettings:
    return BatchSettings(
        database_url=urls["batch"], settle_interval_seconds=0.2, dispatch_interval_seconds=0.05, **bus_names
    )


async def draft(client, rows: int, concurrency: int) -> str:
    created = await client.post("/internal/batches", json={"concurrency": concurrency})
    batch_id = created.json()["id"]
    body = [{"row_number": n, "kind": "create", "request": request_for(f"p{n}")} for n in range(1, rows + 1)]
    await client.post(f"/internal/batches/{batch_id}/rows", json={"rows": body})
    await client.post(f"/internal/batches/{batch_id}/seal")
    return batch_id


async def test_two_replicas_and_racing_confirms_send_each_row_once(bus_names, databases, amqp_url):
    billing_app = create_billing_app(BillingSettings(database_url=databases["billing"], **bus_names))
    async with running(billing_app) as billing_client:
        billing_client.auth = signed_as(billing_app, "gateway", "ann")
        first = create_batch_app(batch_settings(databases, bus_names), billing_for(billing_app))
        second = create_batch_app(batch_settings(databases, bus_names), billing_for(billing_app))
        async with (
            running(first) as one,
            running(second) as two,
            EventRecorder(amqp_url, bus_names["exchange"]) as bus,
        ):
            one.auth, two.auth = signed_as(first, "gateway", "ann"), signed_as(second, "gateway", "ann")
            await billing_client.put("/internal/accounts/ann/plan", json={"plan": "enterprise"})
            available = (await billing_client.get("/internal/account/balance")).json()["available_credits"]
            batch_id = await draft(one, REPLICA_ROWS, concurrency=8)
            task = asyncio.create_task(Worker(bus, fail_rows=set()).run())
            try:
                answers = await asyncio.gather(
                    *(
                        client.post(f"/internal/batches/{batch_id}/confirm")
                        for client in (one, two, one, two, one)
                    )
                )
                assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
                ended = await wait_state(one, batch_id, ("completed",), timeout=90)
            finally:
                task.cancel()
            assert ended["counts"] == {"succeeded": REPLICA_ROWS}
            assert ended["credits"] == {
                "reserved": REPLICA_ROWS,
                "charged": REPLICA_ROWS,
                "released": 0,
                "held": 0,
            }
            requested = [r.operation_id for r in bus.of_type(OperationRequested)]
            assert len(requested) == len(set(requested)) == REPLICA_ROWS
            balance = (await billing_client.get("/internal/account/balance")).json()
            assert (balance["available_credits"], balance["pending_credits"]) == (available - REPLICA_ROWS, 0)
