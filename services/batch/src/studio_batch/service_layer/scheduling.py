"""Schedules in the database: create, list, pause, resume, delete, and fire the due ones.

Firing is leader-free. Every replica calls `fire_due` on a timer; on PostgreSQL each claims due schedules
with FOR UPDATE SKIP LOCKED, so two replicas never work on one schedule at once; on SQLite the write lock
taken at BEGIN serialises them. Either way the fire row, keyed by a run id derived from the schedule and
the fire time, is written before the run is started and in the same transaction: a fire seen twice
collides on that key instead of starting a second run.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from studio_batch.adapters import schedule_store as store
from studio_batch.domain.schedule import (
    Schedule,
    due_fires,
    next_fire,
    next_fires,
    parse_schedule,
    run_id_for,
)
from studio_common.db import Executor
from studio_common.ids import as_utc, new_id

log = logging.getLogger(__name__)
FIRES = Counter("studio_batch_schedule_fires_total", "Schedule fires by outcome", ["outcome"])

# A run in one of these states is still going, for the overlap policy "skip".
UNFINISHED_RUN_STATES = ("scheduled", "running", "paused")
SHOWN_FIRES = 5

StartRun = Callable[[AsyncSession, dict, datetime, str], Awaitable[object]]


class ScheduleNotFound(LookupError):
    pass


class ScheduleConflict(ValueError):
    pass


def _schedule_of(row) -> Schedule:
    return schedule_from_spec(row["spec"])


def schedule_from_spec(spec: dict) -> Schedule:
    """A schedule stored in its normalised form (Schedule.as_spec), read back without re-validating."""
    spec = dict(spec)
    at = spec.pop("at", None)
    return Schedule(**spec, at=as_utc(datetime.fromisoformat(at)) if at else None)


def upcoming_fires(spec: dict | None, after: datetime, count: int = SHOWN_FIRES) -> list[str]:
    """The next fire times of a stored schedule, to show with a batch before its schedule exists."""
    return (
        [moment.isoformat() for moment in next_fires(schedule_from_spec(spec), after, count)] if spec else []
    )


def _view(row, now: datetime) -> dict:
    shown = {
        k: row[k]
        for k in (
            "id",
            "batch_id",
            "kind",
            "spec",
            "state",
            "missed_count",
            "last_run_id",
            "next_fire_at",
            "created_at",
            "updated_at",
        )
    }
    upcoming = (
        next_fires(_schedule_of(row), max(now, as_utc(row["fired_through"])), SHOWN_FIRES)
        if row["state"] == "active"
        else []
    )
    return {**shown, "next_fire_times": [moment.isoformat() for moment in upcoming]}


async def create_schedule(session: Executor, batch, now: datetime) -> dict:
    """A schedule for a submitted batch (its `schedule` field). `at` is judged against the submission
    time, so one that passes while the user reviews the preview still runs, at once."""
    schedule = parse_schedule(batch["schedule"], as_utc(batch["created_at"]))
    schedule_id = new_id()
    # An `at` already passed is still owed: the cursor starts just before it, and the catch-up window
    # decides whether it runs now or is recorded as missed.
    fired_through = now if schedule.kind == "cron" else min(now, schedule.at - timedelta(microseconds=1))
    await store.add(
        session,
        id=schedule_id,
        user_id=batch["user_id"],
        batch_id=batch["id"],
        kind=schedule.kind,
        spec=schedule.as_spec(),
        state="active",
        next_fire_at=next_fire(schedule, fired_through),
        fired_through=fired_through,
        missed_count=0,
        created_at=now,
        updated_at=now,
    )
    return await get_schedule(session, batch["user_id"], schedule_id, now)


async def _owned(session: Executor, user_id: str, schedule_id: str, lock: bool = False):
    row = await store.owned(session, user_id, schedule_id, lock)
    if row is None:
        raise ScheduleNotFound(f"no schedule {schedule_id}")
    return row


async def get_schedule(session: Executor, user_id: str, schedule_id: str, now: datetime) -> dict:
    row = await _owned(session, user_id, schedule_id)
    runs = await store.fires(session, schedule_id)
    return {**_view(row, now), "fires": [dict(run) for run in runs]}


async def list_schedules(session: Executor, user_id: str, now: datetime) -> dict:
    rows = await store.of_user(session, user_id)
    return {"items": [_view(row, now) for row in rows], "total": len(rows)}


async def pause_schedule(session: Executor, user_id: str, schedule_id: str, now: datetime) -> dict:
    row = await _owned(session, user_id, schedule_id, lock=True)
    if row["state"] not in ("active", "paused"):
        raise ScheduleConflict(f"the schedule is {row['state']}; only an active one can be paused")
    await _set(session, schedule_id, now, state="paused", next_fire_at=None)
    return await get_schedule(session, user_id, schedule_id, now)


async def resume_schedule(session: Executor, user_id: str, schedule_id: str, now: datetime) -> dict:
    """Fires that fell while paused are neither run nor counted as missed: pausing meant not to run."""
    row = await _owned(session, user_id, schedule_id, lock=True)
    if row["state"] not in ("active", "paused"):
        raise ScheduleConflict(f"the schedule is {row['state']}; only a paused one can be resumed")
    if row["state"] == "paused":
        upcoming = next_fire(_schedule_of(row), now)
        await _set(
            session,
            schedule_id,
            now,
            state="active" if upcoming else "finished",
            fired_through=now,
            next_fire_at=upcoming,
        )
    return await get_schedule(session, user_id, schedule_id, now)


async def delete_schedule(session: Executor, user_id: str, schedule_id: str, now: datetime) -> None:
    """Stops future fires; the runs already made stay, as batches of their own."""
    await _owned(session, user_id, schedule_id, lock=True)
    await _set(session, schedule_id, now, state="deleted", next_fire_at=None)


async def _set(session: Executor, schedule_id: str, now: datetime, missed: int = 0, **values) -> None:
    await store.change(session, schedule_id, missed, **values, updated_at=now)


async def fire_due(session: Executor, now: datetime, start_run: StartRun, limit: int = 50) -> list[str]:
    """Fire every due schedule (up to `limit`) in the caller's transaction; returns the run ids started.

    `start_run(session, schedule_row, fire_time, run_id)` makes the run; it is called after the fire row is
    written, inside a savepoint per schedule, so a run that cannot start leaves that schedule due for the
    next pass instead of undoing the others. It returns False when there is nothing to run (the batch
    behind the schedule was canceled): the fire is then recorded as skipped.
    """
    due = await store.due(session, now, limit)
    started: list[str] = []
    for row in due:
        try:
            async with session.begin_nested():
                started += await _fire_schedule(session, dict(row), now, start_run)
        except Exception:
            log.exception("schedule %s could not fire; it stays due", row["id"])
    return started


async def _fire_schedule(session: Executor, row: dict, now: datetime, start_run: StartRun) -> list[str]:
    schedule = _schedule_of(row)
    due = due_fires(schedule, as_utc(row["fired_through"]), now)
    for moment in due.missed:
        await _record(session, row["id"], moment, "missed", "later than the catch-up window", now)
    started, last_run_id = [], row["last_run_id"]
    for moment in due.run:
        run_id = run_id_for(row["id"], moment)
        if schedule.overlap == "skip" and await _previous_run_unfinished(session, row):
            await _record(session, row["id"], moment, "skipped", "the previous run was still going", now)
            continue
        if await _record(session, row["id"], moment, "started", None, now):
            if await start_run(session, row, moment, run_id) is False:
                reason = "no run was made: the scheduled batch is gone or canceled"
                await store.change_fire(session, run_id, outcome="skipped", reason=reason)
                FIRES.labels("skipped").inc()
                continue
            FIRES.labels("started").inc()
            started.append(run_id)
            last_run_id = run_id
    upcoming = next_fire(schedule, due.through)
    missed = len(due.missed) + (1 if due.more_missed else 0)
    await _set(
        session,
        row["id"],
        now,
        fired_through=due.through,
        next_fire_at=upcoming,
        state="active" if upcoming else "finished",
        last_run_id=last_run_id,
        missed=missed,
    )
    return started


async def _previous_run_unfinished(session: Executor, row: dict) -> bool:
    return bool(await store.count_runs(session, row["id"], row["batch_id"], UNFINISHED_RUN_STATES))


async def _record(
    session: Executor, schedule_id: str, moment: datetime, outcome: str, reason: str | None, now: datetime
) -> bool:
    """Write the fire; False when it exists already (this fire was handled before)."""
    run_id = run_id_for(schedule_id, moment)
    if await store.fire_recorded(session, run_id):
        return False
    await store.add_fire(
        session,
        run_id=run_id,
        schedule_id=schedule_id,
        fire_time=moment,
        outcome=outcome,
        reason=reason,
        recorded_at=now,
    )
    if outcome != "started":  # a start is counted once the run is made
        FIRES.labels(outcome).inc()  # before commit: a pass that rolls back is counted again next time
    return True
