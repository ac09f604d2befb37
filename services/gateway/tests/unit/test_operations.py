"""Submitting an operation through the gateway's service layer, on real SQLite and PostgreSQL: the operation,
its idempotency key and its `operation.requested` event are written together, a retried request replays
its first answer, and a key reused for another request is refused. Keys belong to one user."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from studio_common import db
from studio_common.events import OperationRequested
from studio_common.runtime import ServiceRuntime
from studio_gateway.adapters.tables import metadata, operations
from studio_gateway.service_layer import operations as service
from studio_gateway.service_layer.submissions import IdempotencyConflict, Submissions
from studio_gateway.settings import GatewaySettings

DAY = timedelta(hours=24)


async def gateway_runtime(database_url: str):
    """The gateway's runtime, not started: its database and outbox are real, no broker is needed."""
    runtime = ServiceRuntime(GatewaySettings(database_url=database_url), metadata)
    await db.create_schema(runtime.engine, metadata)
    return runtime


@pytest.fixture
async def runtime(database_url):
    runtime = await gateway_runtime(database_url)
    yield runtime
    await runtime.engine.dispose()


@pytest.fixture
def submissions(runtime) -> Submissions:
    return Submissions(runtime)


def requested(user: str = "ana", prompt: str = "a lighthouse") -> tuple[OperationRequested, dict]:
    """What a route builds for each request: a fresh operation id, and the body the user sent."""
    body = {"prompt": prompt, "num_variations": 1}
    event = OperationRequested(
        operation_id=service.new_operation_id(),
        user_id=user,
        kind="create",
        provider="local",
        model="local-render",
        units=1,
        params=body,
    )
    return event, body


async def stored(runtime) -> tuple[list[tuple[str, str]], int]:
    """(user, operation id) of every operation, and how many events wait in the outbox."""
    async with runtime.sessions() as session:
        rows = (await session.execute(select(operations.c.user_id, operations.c.id))).all()
        events = await session.scalar(select(func.count()).select_from(runtime.outbox))
    return sorted((r.user_id, r.id) for r in rows), events


async def test_an_accepted_operation_is_queued_with_its_event(runtime, submissions):
    event, body = requested()
    answer = await submissions.submit(event, body, None, DAY)
    assert answer["operation_id"] == event.operation_id and answer["status"] == "queued"
    assert answer["status_url"].endswith(f"/operations/{event.operation_id}")
    assert await stored(runtime) == ([("ana", event.operation_id)], 1)
    async with runtime.sessions() as session:
        row = await service.get(session, "ana", event.operation_id)
    assert (row["status"], row["kind"], row["request"]) == ("queued", "create", body)


async def test_without_a_key_every_request_is_a_new_operation(runtime, submissions):
    first = await submissions.submit(*requested(), None, DAY)
    second = await submissions.submit(*requested(), None, DAY)
    assert first["operation_id"] != second["operation_id"]
    assert len((await stored(runtime))[0]) == 2


async def test_the_same_key_and_body_replay_the_first_answer_and_queue_nothing_more(runtime, submissions):
    first = await submissions.submit(*requested(), "key-1", DAY)
    retried, body = requested()
    again = await submissions.submit(retried, body, "key-1", DAY)
    assert again == first and again["operation_id"] != retried.operation_id
    assert await stored(runtime) == ([("ana", first["operation_id"])], 1)


async def test_the_same_key_with_another_body_is_a_conflict(runtime, submissions):
    first = await submissions.submit(*requested(prompt="a lighthouse"), "key-1", DAY)
    with pytest.raises(IdempotencyConflict, match="key-1"):
        await submissions.submit(*requested(prompt="a windmill"), "key-1", DAY)
    assert await stored(runtime) == ([("ana", first["operation_id"])], 1)


async def test_keys_belong_to_one_user(runtime, submissions):
    ana = await submissions.submit(*requested("ana"), "shared-key", DAY)
    bob = await submissions.submit(*requested("bob"), "shared-key", DAY)
    assert ana["operation_id"] != bob["operation_id"]
    users, events = await stored(runtime)
    assert [u for u, _ in users] == ["ana", "bob"] and events == 2
    # Another user's different body under a key ana used is no conflict either.
    await submissions.submit(*requested("carl", prompt="other"), "shared-key", DAY)


async def test_an_expired_key_starts_a_new_operation_and_then_replays_that_one(runtime, submissions):
    first = await submissions.submit(*requested(), "key-1", DAY)
    await asyncio.sleep(0.01)
    fresh = await submissions.submit(*requested(prompt="changed"), "key-1", timedelta(0))
    assert fresh["operation_id"] != first["operation_id"]
    assert await submissions.submit(*requested(prompt="changed"), "key-1", DAY) == fresh


async def test_parallel_retries_with_one_key_make_one_operation(runtime, submissions):
    answers = await asyncio.gather(*(submissions.submit(*requested(), "key-race", DAY) for _ in range(4)))
    assert len({a["operation_id"] for a in answers}) == 1
    assert (await stored(runtime))[1] == 1


async def test_another_users_operation_is_invisible_and_cannot_be_canceled(runtime, submissions):
    answer = await submissions.submit(*requested("ana"), None, DAY)
    async with runtime.sessions() as session:
        assert await service.get(session, "bob", answer["operation_id"]) is None
    assert await service.request_cancel(runtime, "bob", answer["operation_id"]) is None
    assert (await stored(runtime))[1] == 1  # no cancel event
    assert await service.request_cancel(runtime, "ana", answer["operation_id"]) == "queued"
    assert (await stored(runtime))[1] == 2


async def test_on_sqlite_requests_that_arrive_together_are_recorded_in_one_transaction(tmp_path):
    runtime = await gateway_runtime(f"sqlite+aiosqlite:///{tmp_path}/gateway.db")
    submissions = Submissions(runtime)
    begun = []
    event.listen(runtime.engine.sync_engine, "begin", lambda _conn: begun.append(1))
    try:
        answers = await asyncio.gather(
            *(submissions.submit(*requested(f"user{n}"), None, DAY) for n in range(6))
        )
        assert len(begun) == 1  # all six were waiting before the first transaction began
        users, events = await stored(runtime)
        assert len({a["operation_id"] for a in answers}) == 6 and len(users) == 6 and events == 6
    finally:
        await runtime.engine.dispose()


async def test_a_conflict_in_a_group_fails_only_its_own_request(runtime, submissions):
    first = await submissions.submit(*requested(prompt="a lighthouse"), "key-1", DAY)
    results = await asyncio.gather(
        submissions.submit(*requested("bob"), None, DAY),
        submissions.submit(*requested(prompt="a windmill"), "key-1", DAY),
        submissions.submit(*requested(prompt="a lighthouse"), "key-1", DAY),
        submissions.submit(*requested("carl"), None, DAY),
        return_exceptions=True,
    )
    assert isinstance(results[1], IdempotencyConflict)
    assert results[2] == first
    users, events = await stored(runtime)
    assert [u for u, _ in users] == ["ana", "bob", "carl"] and events == 3


async def test_parallel_retries_grouped_together_make_one_operation(runtime, submissions):
    answers = await asyncio.gather(*(submissions.submit(*requested(), "key-race", DAY) for _ in range(5)))
    assert len({a["operation_id"] for a in answers}) == 1
    assert (await stored(runtime))[1] == 1


async def test_on_postgresql_each_request_is_one_statement_committing_by_itself(postgres_database):
    runtime = await gateway_runtime(postgres_database)
    statements = []
    event.listen(
        runtime.engine.sync_engine,
        "before_cursor_execute",
        lambda conn, _cursor, sql, *_: statements.append(
            (sql.split()[0], conn.get_execution_options().get("isolation_level"))
        ),
    )
    try:
        submissions = Submissions(runtime)
        answers = await asyncio.gather(
            *(submissions.submit(*requested(f"u{n}"), None, DAY) for n in range(4))
        )
        assert len({a["operation_id"] for a in answers}) == 4
        # The operation and its event in one INSERT each time, committing by itself: one round trip.
        assert statements == [("WITH", "AUTOCOMMIT")] * 4
        handed = sorted(
            row["envelope"]["subject"] for row in runtime.relay.handed_not_sent
        )  # published from memory
        assert handed == sorted(a["operation_id"] for a in answers)
        assert (await stored(runtime))[1] == 4

        statements.clear()
        first = await submissions.submit(*requested(), "key-1", DAY)
        assert await submissions.submit(*requested(), "key-1", DAY) == first
        # The key's lookup and the insert, then the replay's lookup alone: each a statement of its own.
        assert statements == [("SELECT", "AUTOCOMMIT"), ("WITH", "AUTOCOMMIT"), ("SELECT", "AUTOCOMMIT")]
    finally:
        await runtime.engine.dispose()
