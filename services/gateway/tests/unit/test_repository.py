"""The gateway's repository on a throw-away SQLite file: every query for a user's rows is scoped to that
user (I6), pages come newest first, and the service layer's rules hold on top of it."""

from datetime import timedelta

import pytest

from studio_common import db
from studio_common.ids import utcnow
from studio_gateway.adapters import repository as repo
from studio_gateway.adapters.tables import idempotency_keys, metadata
from studio_gateway.domain.personas import PersonaBody, PersonaPatch
from studio_gateway.service_layer import personas


@pytest.fixture
async def session(tmp_path):
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/gateway.db")
    await db.create_schema(engine, metadata)
    async with db.session_factory(engine)() as session, session.begin():
        yield session
    await engine.dispose()


async def _operation(session, operation_id: str, user_id: str, minutes_ago: int, status: str = "queued"):
    moment = utcnow() - timedelta(minutes=minutes_ago)
    await repo.add_operation(
        session,
        id=operation_id,
        user_id=user_id,
        kind="create",
        domain="generation",
        status=status,
        progress=0.0,
        provider="local",
        model="local-render",
        units=1,
        request={},
        outputs=[],
        created_at=moment,
        updated_at=moment,
    )


async def test_a_users_operations_page_newest_first_and_anothers_stay_hidden(session):
    for index, minutes_ago in enumerate((30, 10, 20)):
        await _operation(session, f"op{index}", "ann", minutes_ago, "succeeded" if index else "queued")
    await _operation(session, "bob-op", "bob", 5)
    page, total = await repo.operations_page(session, "ann", 1, 2, None, None)
    assert ([row["id"] for row in page], total) == (["op1", "op2"], 3)
    done, total = await repo.operations_page(session, "ann", 1, 10, "succeeded", "create")
    assert total == 2 and {row["id"] for row in done} == {"op1", "op2"}
    assert await repo.operation(session, "ann", "bob-op") is None
    assert (await repo.operation(session, "bob", "bob-op"))["user_id"] == "bob"


async def test_progress_and_changes_reach_the_read_model_row(session):
    await _operation(session, "op", "ann", 0)
    await repo.change_operation(session, "op", status="running", progress=0.5)
    progress = await repo.progress(session, "op", lock=True)
    assert (progress.status, progress.progress) == ("running", 0.5)
    assert await repo.progress(session, "missing") is None


async def test_an_idempotency_key_is_the_users_own_and_can_be_forgotten(session):
    values = {"request_hash": "h", "operation_id": "op", "response": {"ok": 1}, "created_at": utcnow()}
    key = {"user_id": "ann", "key": "k", **values}
    await repo.add_rows(session, [(idempotency_keys, key)])
    assert (await repo.idempotency_key(session, "ann", "k"))["response"] == {"ok": 1}
    assert await repo.idempotency_key(session, "bob", "k") is None
    await repo.forget_idempotency_key(session, "ann", "k")
    assert await repo.idempotency_key(session, "ann", "k") is None


async def test_personas_are_kept_per_user_in_name_order(session):
    zed = await personas.create(session, "ann", PersonaBody(name="Zed"))
    await personas.create(session, "ann", PersonaBody(name="Amy"))
    assert [p["name"] for p in await personas.list_for(session, "ann")] == ["Amy", "Zed"]
    assert await personas.update(session, "bob", zed["id"], PersonaPatch(name="Taken")) is None
    assert not await personas.delete(session, "bob", zed["id"])
    renamed = await personas.update(session, "ann", zed["id"], PersonaPatch(name="Zoe"))
    assert renamed["name"] == "Zoe"
    assert await personas.delete(session, "ann", zed["id"])
    assert await repo.count_personas(session, "ann") == 1
