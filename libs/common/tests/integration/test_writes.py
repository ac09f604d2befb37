"""Writes executed together: the same rows on SQLite and PostgreSQL, one statement on PostgreSQL, built
once per shape, and a clash of parameter names refused rather than silently writing one value twice."""

import pytest
from sqlalchemy import Column, Integer, String, Table, bindparam, event, select, update

from studio_common import db, writes

metadata = db.new_metadata()
notes = Table("notes", metadata, Column("id", String, primary_key=True), Column("text", String))
counters = Table("counters", metadata, Column("name", String, primary_key=True), Column("value", Integer))
ADD_TO_COUNTER = (
    update(counters)
    .where(counters.c.name == bindparam("counter_name"))
    .values(value=counters.c.value + bindparam("counter_by"))
)


@pytest.fixture
async def sessions(database_url):
    engine = db.make_engine(database_url)
    await db.create_schema(engine, metadata)
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2].split()[0]))
    async with db.session_factory(engine)() as session, session.begin():
        await session.execute(counters.insert().values(name="notes", value=0))
    sent.clear()
    yield db.session_factory(engine), sent
    await engine.dispose()


async def test_writes_together_land_as_one_statement_on_postgresql(sessions):
    factory, sent = sessions
    async with factory() as session, session.begin():
        await writes.execute_together(
            session,
            [
                writes.inserting(notes, {"id": "n1", "text": "first"}, "note_"),
                writes.updating(notes, "id", "n0", {"text": "no such row"}, "change_"),
                (ADD_TO_COUNTER, {"counter_name": "notes", "counter_by": 1}),
            ],
        )
        dialect = session.bind.dialect.name
    async with factory() as session:
        assert (await session.execute(select(notes.c.id, notes.c.text))).all() == [("n1", "first")]
        assert await session.scalar(select(counters.c.value)) == 1
    written = [verb for verb in sent if verb in ("WITH", "INSERT", "UPDATE")]
    assert written == (["WITH"] if dialect == "postgresql" else ["INSERT", "UPDATE", "UPDATE"])


async def test_a_shared_parameter_name_is_refused(sessions):
    factory, _ = sessions
    async with factory() as session, session.begin():
        together = [
            writes.inserting(notes, {"id": "n1", "text": "a"}, "note_"),
            writes.inserting(notes, {"id": "n2", "text": "b"}, "note_"),
        ]
        if session.bind.dialect.name == "postgresql":
            with pytest.raises(ValueError, match="share a parameter name"):
                await writes.execute_together(session, together)
        else:  # one after another: each statement has its own parameters
            await writes.execute_together(session, together)


def test_statements_are_built_once_per_shape():
    first, _ = writes.inserting(notes, {"id": "a", "text": "x"}, "note_")
    again, values = writes.inserting(notes, {"id": "b", "text": "y"}, "note_")
    assert first is again and values == {"note_id": "b", "note_text": "y"}
    assert writes.inserting(notes, {"id": "c"}, "note_")[0] is not first


async def test_a_single_statement_commits_by_itself_on_postgresql(database_url):
    engine = db.make_engine(database_url)
    await db.create_schema(engine, metadata)
    sent: list[tuple[str, str | None]] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda conn, _cursor, sql, *_: sent.append(
            (sql.split()[0], conn.get_execution_options().get("isolation_level"))
        ),
    )
    try:
        async with db.one_statement(engine) as connection:
            await connection.execute(notes.insert().values(id="n1", text="kept"))
        async with db.session_factory(engine)() as session:
            assert await session.scalar(select(notes.c.text)) == "kept"
    finally:
        await engine.dispose()
    if engine.dialect.name == "postgresql":
        assert sent[0] == ("INSERT", "AUTOCOMMIT")
    else:  # SQLite: in a transaction, which takes the one writer's lock at BEGIN
        assert [verb for verb, _ in sent][:2] == ["BEGIN", "INSERT"]
