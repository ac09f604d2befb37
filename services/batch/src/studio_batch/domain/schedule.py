"""When a batch runs: once at a time (`{"at": ...}`) or on a cron expression in a time zone.

Cron expressions are evaluated by `cronsim` rather than `croniter`: croniter was declared abandoned by its
author in 2024 before a new home took it over, and its DST handling has a long bug history, while cronsim is
small, dependency-free, maintained for Healthchecks (a cron monitoring service) and deliberately matches
Debian cron at daylight-saving changes: a fixed-time job in the skipped hour runs once right after the
jump, and one in the repeated hour runs once, at its first occurrence.

Everything here works on aware datetimes; fire times are compared and stored in UTC, so the run id of a fire
(schedule id + UTC instant) is the same however the wall clock was read.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from studio_common.ids import derived_id

OVERLAP_POLICIES = ("skip", "allow")
DEFAULT_CATCH_UP_MINUTES = 60
MAX_CATCH_UP_MINUTES = 7 * 24 * 60
# Fires further back than this are never enumerated one by one: a schedule stalled for a year on a
# per-minute cron would otherwise mean half a million rows to record.
MAX_FIRES_PER_CHECK = 1000
KNOWN_FIELDS = {"at", "cron", "timezone", "overlap", "catch_up_minutes"}


class ScheduleError(ValueError):
    """A schedule the studio cannot honour; `code` names the problem, `field` where it is."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "field": f"schedule.{self.field}", "message": str(self)}


@dataclass(frozen=True)
class Schedule:
    """A validated schedule. Exactly one of `at` (UTC) and `cron` is set."""

    timezone: str = "UTC"
    at: datetime | None = None
    cron: str | None = None
    overlap: str = "skip"
    catch_up_minutes: int = DEFAULT_CATCH_UP_MINUTES

    @property
    def kind(self) -> str:
        return "cron" if self.cron else "at"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_spec(self) -> dict:
        spec = {"timezone": self.timezone, "overlap": self.overlap, "catch_up_minutes": self.catch_up_minutes}
        return {**spec, "cron": self.cron} if self.cron else {**spec, "at": self.at.isoformat()}


def parse_schedule(spec: object, now: datetime) -> Schedule:
    """Validate a submitted schedule; raises ScheduleError naming the first problem."""
    if not isinstance(spec, dict):
        raise ScheduleError("invalid_schedule", "", "schedule must be an object with 'at' or 'cron'")
    unknown = sorted(set(spec) - KNOWN_FIELDS)
    if unknown:
        raise ScheduleError("unknown_field", unknown[0], f"unknown schedule field {unknown[0]!r}")
    if ("at" in spec) == ("cron" in spec):
        raise ScheduleError("at_or_cron", "", "schedule needs exactly one of 'at' (a time) or 'cron'")
    timezone = _parse_timezone(spec.get("timezone", "UTC"))
    overlap = spec.get("overlap", "skip")
    if overlap not in OVERLAP_POLICIES:
        raise ScheduleError("bad_overlap", "overlap", f"overlap must be one of {', '.join(OVERLAP_POLICIES)}")
    catch_up = _parse_catch_up(spec.get("catch_up_minutes", DEFAULT_CATCH_UP_MINUTES))
    if "cron" in spec:
        return Schedule(
            timezone=timezone, cron=_parse_cron(spec["cron"]), overlap=overlap, catch_up_minutes=catch_up
        )
    return Schedule(
        timezone=timezone,
        at=_parse_at(spec["at"], ZoneInfo(timezone), now),
        overlap=overlap,
        catch_up_minutes=catch_up,
    )


def _parse_timezone(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise ScheduleError(
            "unknown_timezone", "timezone", "timezone must be an IANA name like Europe/Berlin"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("unknown_timezone", "timezone", f"unknown time zone {name!r}") from None
    return name


def _parse_catch_up(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CATCH_UP_MINUTES:
        raise ScheduleError(
            "bad_catch_up",
            "catch_up_minutes",
            f"catch_up_minutes must be a whole number from 0 to {MAX_CATCH_UP_MINUTES}",
        )
    return value


def _parse_cron(expression: object) -> str:
    if not isinstance(expression, str) or len(expression.split()) != 5:
        raise ScheduleError("bad_cron", "cron", "cron must have five fields: minute hour day month weekday")
    try:
        iterator = CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
        next(iterator)
    except CronSimError as exc:
        raise ScheduleError("bad_cron", "cron", f"bad cron expression {expression!r}: {exc}") from None
    except StopIteration:
        raise ScheduleError("bad_cron", "cron", f"cron expression {expression!r} never fires") from None
    return " ".join(expression.split())


def _parse_at(value: object, zone: ZoneInfo, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ScheduleError("bad_at", "at", "at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00+01:00")
    if moment.tzinfo is None:  # a wall-clock time in the schedule's zone
        moment = moment.replace(tzinfo=zone)
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise ScheduleError("at_in_past", "at", f"at {value} is in the past")
    return moment


def fires_after(schedule: Schedule, after: datetime) -> Iterator[datetime]:
    """Fire times strictly after `after`, in UTC, increasing.

    cronsim, started inside the repeated hour of a fall-back day, can answer with the first occurrence of
    that hour, which lies before the start in real time; skipping anything not later than the cursor keeps
    a 01:30 fire from running a second time at the second 01:30.
    """
    after = after.astimezone(UTC)
    if schedule.at is not None:
        if schedule.at > after:
            yield schedule.at
        return
    for local in CronSim(schedule.cron, after.astimezone(schedule.zone)):
        moment = local.astimezone(UTC)
        if moment > after:
            yield moment


def next_fires(schedule: Schedule, after: datetime, count: int = 5) -> list[datetime]:
    fires = []
    for moment in fires_after(schedule, after):
        fires.append(moment)
        if len(fires) == count:
            break
    return fires


def next_fire(schedule: Schedule, after: datetime) -> datetime | None:
    return next(fires_after(schedule, after), None)


@dataclass
class DueFires:
    """What a check at `now` owes: fires to run (each once, oldest first) and fires missed for good.

    `through` is how far the check got: the schedule's cursor moves there, so fires left over when a
    check is capped are taken by the next one.
    """

    through: datetime
    run: list[datetime] = field(default_factory=list)
    missed: list[datetime] = field(default_factory=list)
    # More fires were missed than are listed (only the first MAX_FIRES_PER_CHECK are).
    more_missed: bool = False


def due_fires(schedule: Schedule, fired_through: datetime, now: datetime) -> DueFires:
    """Fires in (fired_through, now]: within the catch-up window they run, older ones are missed."""
    window_start = now - timedelta(minutes=schedule.catch_up_minutes)
    due = DueFires(through=now)
    for moment in fires_after(schedule, fired_through):
        if moment > now or moment >= window_start:
            break
        if len(due.missed) == MAX_FIRES_PER_CHECK:
            due.more_missed = True
            break
        due.missed.append(moment)
    # Anything before the window is missed whether listed or not: jump straight to the window.
    in_window_after = max(fired_through, window_start - timedelta(microseconds=1))
    for moment in fires_after(schedule, in_window_after):
        if moment > now:
            break
        if len(due.run) == MAX_FIRES_PER_CHECK:
            due.through = due.run[-1]
            break
        due.run.append(moment)
    return due


def run_id_for(schedule_id: str, fire_time: datetime) -> str:
    """One id per (schedule, instant): the same fire seen by two replicas, or twice, collides."""
    return derived_id("schedule-run", schedule_id, fire_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
