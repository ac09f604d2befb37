"""Schedules in a real database (SQLite and PostgreSQL): two replicas firing the same due schedules start
each fire exactly once; overlap, missed fires, pause/resume/delete and a run that cannot start."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from studio_batch.adapters import notify_tables, schedule_tables  # noqa: F401  (registers the tables)
from studio_batch.adapters.schedule_tables import schedule_fires, schedules
from studio_batch.adapters.tables import batches, metadata
from studio_batch.service_layer import scheduling
from studio_common.db import create_schema, make_engine, session_factory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def engines(database_url):
    """Two engines on one database: two batch replicas."""
    first, second = make_engine(database_url), make_engine(database_url)
    await create_schema(first, metadata)
    yield first, second
    await first.dispose()
    await second.dispose()


async def add_batch(
    session,
    batch_id: str,
    user_id: str = "u1",
    state: str = "scheduled",
    schedule: dict | None = None,
    schedule_id: str | None = None,
    run_id: str | None = None,
):
    await session.execute(
        batches.insert().values(
            id=batch_id,
            user_id=user_id,
            name=batch_id,
            state=state,
            concurrency=4,
            continue_on_error=True,
            schedule=schedule,
            schedule_id=schedule_id,
            run_id=run_id,
            created_at=NOW - timedelta(hours=1),
            updated_at=NOW,
        )
    )
    return (await session.execute(select(batches).where(batches.c.id == batch_id))).mappings().one()


class Runs:
    """What the batch core does on a fire: a run batch of its own, named by the run id, listed under the
    schedule. Holding the transaction open a little gives a racing replica its chance to collide."""

    def __init__(self, run_state: str = "running") -> None:
        self.started: list[tuple[str, str]] = []
        self.run_state = run_state

    async def __call__(self, session, schedule_row, fire_time, run_id) -> None:
        await asyncio.sleep(0.01)
        await add_batch(
            session,
            run_id,
            schedule_row["user_id"],
            self.run_state,
            schedule_id=schedule_row["id"],
            run_id=run_id,
        )
        self.started.append((schedule_row["id"], run_id))


async def make_schedule(sessions, spec: dict, batch_id: str, created: datetime = NOW - timedelta(hours=1)):
    async with sessions() as session, session.begin():
        batch = await add_batch(session, batch_id, schedule=spec)
        return await scheduling.create_schedule(session, batch, created)


async def replica(sessions, now: datetime, start_run) -> int:
    """One replica's loop: small passes until nothing is due."""
    fired = 0
    for _ in range(200):
        async with sessions() as session, session.begin():
            started = await scheduling.fire_due(session, now, start_run, limit=3)
        fired += len(started)
        async with sessions() as session:
            due = await session.scalar(
                select(func.count())
                .select_from(schedules)
                .where(schedules.c.state == "active", schedules.c.next_fire_at <= now)
            )
        if not due:
            return fired
    raise AssertionError("schedules stayed due")


async def test_two_replicas_fire_every_due_fire_exactly_once(engines):
    sessions = [session_factory(engine) for engine in engines]
    spec = {"cron": "*/10 * * * *", "overlap": "allow", "catch_up_minutes": 60}
    ids = [
        (await make_schedule(sessions[0], spec, f"template-{n}", NOW - timedelta(hours=1)))["id"]
        for n in range(12)
    ]
    runs = Runs()
    # 08:00..09:00 exclusive of the start: 08:10, 08:20, ..., 09:00 = 6 fires per schedule.
    counts = await asyncio.gather(replica(sessions[0], NOW, runs), replica(sessions[1], NOW, runs))
    if engines[0].dialect.name == "postgresql":  # on SQLite one writer at a time may well take every pass
        assert min(counts) > 0, "both replicas should have taken part"
    assert sum(counts) == len(runs.started) == 12 * 6
    assert len(set(runs.started)) == len(runs.started)
    async with sessions[0]() as session:
        run_batches = await session.scalar(
            select(func.count()).select_from(batches).where(batches.c.schedule_id.in_(ids))
        )
        fires = (
            await session.execute(
                select(schedule_fires.c.outcome, func.count()).group_by(schedule_fires.c.outcome)
            )
        ).all()
    assert run_batches == 12 * 6
    assert dict(fires) == {"started": 12 * 6}
    # Firing again at the same moment finds nothing: the fires are done.
    assert await replica(sessions[1], NOW, runs) == 0


async def test_overlap_skip_records_a_fire_while_the_previous_run_is_going(engines):
    sessions = session_factory(engines[0])
    made = await make_schedule(
        sessions, {"cron": "0 * * * *", "catch_up_minutes": 0}, "t1", NOW - timedelta(minutes=90)
    )
    runs = Runs(run_state="running")
    for moment in (NOW - timedelta(hours=1), NOW):
        async with sessions() as session, session.begin():
            await scheduling.fire_due(session, moment, runs)
    async with sessions() as session:
        view = await scheduling.get_schedule(session, "u1", made["id"], NOW)
    assert [fire["outcome"] for fire in view["fires"]] == ["skipped", "started"]
    assert len(runs.started) == 1


async def test_missed_fires_are_recorded_and_the_window_runs_once(engines):
    sessions = session_factory(engines[0])
    made = await make_schedule(
        sessions,
        {"cron": "0 * * * *", "catch_up_minutes": 30, "overlap": "allow"},
        "t1",
        NOW - timedelta(hours=5, minutes=30),
    )
    runs = Runs()
    async with sessions() as session, session.begin():
        await scheduling.fire_due(session, NOW + timedelta(minutes=10), runs)
    async with sessions() as session, session.begin():
        await scheduling.fire_due(session, NOW + timedelta(minutes=20), runs)
    async with sessions() as session:
        view = await scheduling.get_schedule(session, "u1", made["id"], NOW)
    outcomes = [(fire["outcome"], fire["fire_time"].hour) for fire in view["fires"]]
    assert outcomes == [
        ("started", 9),
        ("missed", 8),
        ("missed", 7),
        ("missed", 6),
        ("missed", 5),
        ("missed", 4),
    ]
    assert view["missed_count"] == 5 and len(runs.started) == 1


async def test_pause_resume_delete_and_the_next_five_fires(engines):
    sessions = session_factory(engines[0])
    made = await make_schedule(sessions, {"cron": "0 9 * * MON", "timezone": "Europe/Berlin"}, "t1", NOW)
    assert made["next_fire_times"][:2] == ["2026-03-09T08:00:00+00:00", "2026-03-16T08:00:00+00:00"]
    assert made["next_fire_times"][3] == "2026-03-30T07:00:00+00:00"  # summer time from 29 March
    assert len(made["next_fire_times"]) == 5
    assert scheduling.upcoming_fires(made["spec"], NOW) == made["next_fire_times"]
    runs = Runs()
    async with sessions() as session, session.begin():
        paused = await scheduling.pause_schedule(session, "u1", made["id"], NOW)
    assert paused["state"] == "paused" and paused["next_fire_times"] == []
    later = NOW + timedelta(days=8)  # the Monday 9 March fire falls while paused
    async with sessions() as session, session.begin():
        assert await scheduling.fire_due(session, later, runs) == []
        resumed = await scheduling.resume_schedule(session, "u1", made["id"], later)
    assert resumed["next_fire_times"][0] == "2026-03-16T08:00:00+00:00"
    assert resumed["fires"] == [] and resumed["missed_count"] == 0
    async with sessions() as session, session.begin():
        with pytest.raises(scheduling.ScheduleNotFound):
            await scheduling.pause_schedule(session, "someone-else", made["id"], later)
        await scheduling.delete_schedule(session, "u1", made["id"], later)
    async with sessions() as session, session.begin():
        assert (await scheduling.list_schedules(session, "u1", later))["items"] == []
        assert await scheduling.fire_due(session, NOW + timedelta(days=30), runs) == []


async def test_a_one_off_time_fires_once_and_finishes(engines):
    sessions = session_factory(engines[0])
    made = await make_schedule(sessions, {"at": "2026-03-02T09:30:00+00:00"}, "t1", NOW)
    assert made["next_fire_times"] == ["2026-03-02T09:30:00+00:00"]
    runs = Runs()
    for minutes in (29, 31, 45):
        async with sessions() as session, session.begin():
            await scheduling.fire_due(session, NOW + timedelta(minutes=minutes), runs)
    assert [run_id for _, run_id in runs.started] == [
        scheduling.run_id_for(made["id"], datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    ]
    async with sessions() as session:
        assert (await scheduling.get_schedule(session, "u1", made["id"], NOW))["state"] == "finished"


async def test_a_one_off_time_that_passed_before_confirming_still_runs_once(engines):
    sessions = session_factory(engines[0])
    async with sessions() as session, session.begin():
        batch = await add_batch(
            session, "t1", schedule={"at": "2026-03-02T08:10:00+00:00"}
        )  # submitted 08:00
        made = await scheduling.create_schedule(session, batch, NOW)  # confirmed at 09:00
    runs = Runs()
    async with sessions() as session, session.begin():
        await scheduling.fire_due(session, NOW, runs)
    async with sessions() as session, session.begin():
        await scheduling.fire_due(session, NOW + timedelta(minutes=1), runs)
    assert len(runs.started) == 1
    async with sessions() as session:
        view = await scheduling.get_schedule(session, "u1", made["id"], NOW)
    assert view["state"] == "finished" and [f["outcome"] for f in view["fires"]] == ["started"]


async def test_a_run_that_cannot_start_leaves_its_schedule_due_and_the_others_fire(engines):
    sessions = session_factory(engines[0])
    broken = await make_schedule(sessions, {"cron": "0 * * * *"}, "broken", NOW - timedelta(minutes=30))
    await make_schedule(sessions, {"cron": "0 * * * *"}, "fine", NOW - timedelta(minutes=30))
    runs = Runs()

    async def start_run(session, row, fire_time, run_id):
        if row["batch_id"] == "broken":
            raise RuntimeError("the template batch is gone")
        await runs(session, row, fire_time, run_id)

    async with sessions() as session, session.begin():
        started = await scheduling.fire_due(session, NOW, start_run)
    assert len(started) == 1
    async with sessions() as session:
        view = await scheduling.get_schedule(session, "u1", broken["id"], NOW)
    assert view["fires"] == [] and view["next_fire_at"].replace(tzinfo=UTC) == NOW


async def test_a_fire_with_nothing_to_run_is_recorded_as_skipped(engines):
    sessions = session_factory(engines[0])
    made = await make_schedule(sessions, {"cron": "0 * * * *"}, "t1", NOW - timedelta(minutes=30))

    async def nothing_to_run(session, row, fire_time, run_id):
        return False

    async with sessions() as session, session.begin():
        assert await scheduling.fire_due(session, NOW, nothing_to_run) == []
    async with sessions() as session:
        view = await scheduling.get_schedule(session, "u1", made["id"], NOW)
    assert [(f["outcome"], f["reason"][:10]) for f in view["fires"]] == [("skipped", "no run was")]
    assert view["last_run_id"] is None and view["next_fire_at"].replace(tzinfo=UTC) == NOW + timedelta(
        hours=1
    )
