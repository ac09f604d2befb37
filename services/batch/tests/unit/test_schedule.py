"""Schedules: validation, next fires, time zones and daylight-saving changes, catch-up and missed fires."""

from datetime import UTC, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

import pytest

from studio_batch.domain.schedule import (
    MAX_FIRES_PER_CHECK,
    ScheduleError,
    due_fires,
    fires_after,
    next_fires,
    parse_schedule,
    run_id_for,
)

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "code", "field"),
    [
        ({"cron": "61 * * * *"}, "bad_cron", "cron"),
        ({"cron": "0 9 * *"}, "bad_cron", "cron"),
        ({"cron": "0 9 31 2 *"}, "bad_cron", "cron"),  # 31 February never comes
        ({"cron": "0 9 * * MON", "timezone": "Europe/Berlinn"}, "unknown_timezone", "timezone"),
        ({"cron": "0 9 * * MON", "timezone": ""}, "unknown_timezone", "timezone"),
        ({"at": "2026-01-10T11:59:00Z"}, "at_in_past", "at"),
        ({"at": "next tuesday"}, "bad_at", "at"),
        ({"at": "2027-01-01T00:00:00Z", "cron": "* * * * *"}, "at_or_cron", ""),
        ({}, "at_or_cron", ""),
        ({"cron": "* * * * *", "overlap": "queue"}, "bad_overlap", "overlap"),
        ({"cron": "* * * * *", "catch_up_minutes": -1}, "bad_catch_up", "catch_up_minutes"),
        ({"cron": "* * * * *", "catch_up_minutes": "10"}, "bad_catch_up", "catch_up_minutes"),
        ({"cron": "* * * * *", "every": 5}, "unknown_field", "every"),
    ],
)
def test_bad_schedules_are_refused_by_name(spec, code, field):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(spec, NOW)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.as_dict()["field"].startswith("schedule")


def test_defaults_and_normalised_spec():
    schedule = parse_schedule({"cron": "0  9 * * MON", "timezone": "Europe/Berlin"}, NOW)
    assert schedule.as_spec() == {
        "cron": "0 9 * * MON",
        "timezone": "Europe/Berlin",
        "overlap": "skip",
        "catch_up_minutes": 60,
    }


def test_at_without_offset_is_read_in_the_schedules_zone():
    schedule = parse_schedule({"at": "2026-07-01T09:00:00", "timezone": "Europe/Berlin"}, NOW)
    assert schedule.at == utc("2026-07-01T07:00:00")
    assert next_fires(schedule, NOW) == [utc("2026-07-01T07:00:00")]
    assert next_fires(schedule, utc("2026-07-01T07:00:00")) == []


def test_next_five_mondays_at_nine_berlin_cross_the_spring_change():
    schedule = parse_schedule({"cron": "0 9 * * MON", "timezone": "Europe/Berlin"}, NOW)
    fires = next_fires(schedule, utc("2026-03-10T00:00:00"), 5)
    assert [f.astimezone(BERLIN).strftime("%m-%d %H:%M") for f in fires] == [
        "03-16 09:00",
        "03-23 09:00",
        "03-30 09:00",
        "04-06 09:00",
        "04-13 09:00",
    ]
    # 09:00 in winter is 08:00 UTC, in summer 07:00 UTC.
    assert [f.hour for f in fires] == [8, 8, 7, 7, 7]


def _fires_between(spec: dict, start: str, end: str) -> list[datetime]:
    """Fires between two wall-clock times in the schedule's own zone."""
    schedule = parse_schedule(spec, utc("2000-01-01T00:00:00"))
    start_at, end_at = (datetime.fromisoformat(t).replace(tzinfo=schedule.zone) for t in (start, end))
    return list(takewhile(lambda fire: fire <= end_at, fires_after(schedule, start_at)))


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Berlin", "2026-03-29"), ("America/New_York", "2026-03-08")]
)
def test_a_0230_fire_on_a_spring_forward_day_runs_once_just_after_the_jump(zone, day):
    fires = _fires_between({"cron": "30 2 * * *", "timezone": zone}, f"{day}T00:00:00", f"{day}T23:59:00")
    assert len(fires) == 1
    local = fires[0].astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (3, 0)


@pytest.mark.parametrize(
    ("zone", "day", "wall"),
    [
        ("America/New_York", "2026-11-01", "30 1 * * *"),  # 01:00-02:00 happens twice in New York
        ("Europe/Berlin", "2026-10-25", "30 2 * * *"),  # 02:00-03:00 happens twice in Berlin
        ("Europe/Berlin", "2026-10-25", "30 1 * * *"),  # before Berlin's change: an ordinary hour
    ],
)
def test_a_fire_in_the_repeated_hour_of_a_fall_back_day_runs_once(zone, day, wall):
    fires = _fires_between({"cron": wall, "timezone": zone}, f"{day}T00:00:00", f"{day}T23:59:00")
    assert len(fires) == 1


def test_checking_inside_the_repeated_hour_does_not_fire_0130_again():
    schedule = parse_schedule(
        {"cron": "30 1 * * *", "timezone": "America/New_York", "catch_up_minutes": 180}, NOW
    )
    first = utc("2026-11-01T05:30:00")  # 01:30 EDT
    # The scheduler wakes at 01:00 and 01:29 EST, after the first 01:30 already fired.
    for cursor in (utc("2026-11-01T06:00:00"), utc("2026-11-01T06:29:00")):
        due = due_fires(schedule, cursor, utc("2026-11-01T07:00:00"))
        assert due.run == [] and due.missed == []
    assert due_fires(schedule, utc("2026-11-01T05:00:00"), utc("2026-11-01T07:00:00")).run == [first]


def test_every_half_hour_keeps_running_through_the_repeated_hour():
    schedule = parse_schedule({"cron": "*/30 * * * *", "timezone": "America/New_York"}, NOW)
    fires = list(
        takewhile(lambda f: f < utc("2026-11-01T07:00:00"), fires_after(schedule, utc("2026-11-01T04:00:00")))
    )
    # A wall-clock-wildcard schedule follows real time: 00:30, 01:00, 01:30 EDT, then 01:00, 01:30 EST.
    assert fires == [utc("2026-11-01T04:30:00") + timedelta(minutes=30 * n) for n in range(5)]


def test_fires_within_the_catch_up_window_run_once_older_ones_are_missed():
    schedule = parse_schedule({"cron": "0 * * * *", "catch_up_minutes": 90}, NOW)
    # Down from 06:30 to 12:10: fires at 07..12; 10:40 starts the window.
    due = due_fires(schedule, utc("2026-01-10T06:30:00"), utc("2026-01-10T12:10:00"))
    assert due.run == [utc("2026-01-10T11:00:00"), utc("2026-01-10T12:00:00")]
    assert due.missed == [utc(f"2026-01-10T{h:02d}:00:00") for h in (7, 8, 9, 10)]
    assert due.through == utc("2026-01-10T12:10:00")
    # The next check from where this one stopped owes nothing.
    again = due_fires(schedule, due.through, utc("2026-01-10T12:20:00"))
    assert again.run == [] and again.missed == []


def test_a_zero_minute_window_runs_only_a_fire_that_is_exactly_due():
    schedule = parse_schedule({"cron": "0 * * * *", "catch_up_minutes": 0}, NOW)
    assert due_fires(schedule, utc("2026-01-10T11:30:00"), utc("2026-01-10T12:00:00")).run == [NOW]
    late = due_fires(schedule, utc("2026-01-10T11:30:00"), utc("2026-01-10T12:00:01"))
    assert late.run == [] and late.missed == [NOW]


def test_a_one_off_time_missed_beyond_the_window_is_recorded_as_missed():
    schedule = parse_schedule({"at": "2026-01-10T13:00:00Z", "catch_up_minutes": 30}, NOW)
    assert due_fires(schedule, NOW, utc("2026-01-10T13:20:00")).run == [utc("2026-01-10T13:00:00")]
    late = due_fires(schedule, NOW, utc("2026-01-10T13:31:00"))
    assert late.run == [] and late.missed == [utc("2026-01-10T13:00:00")]


def test_a_long_stall_lists_a_bounded_number_of_missed_fires_and_still_runs_the_window():
    schedule = parse_schedule({"cron": "* * * * *", "catch_up_minutes": 2}, NOW)
    due = due_fires(schedule, NOW - timedelta(days=30), NOW)
    assert len(due.missed) == MAX_FIRES_PER_CHECK and due.more_missed
    assert due.run == [NOW - timedelta(minutes=2), NOW - timedelta(minutes=1), NOW]


def test_run_ids_depend_on_the_instant_not_on_how_it_is_written():
    moment = utc("2026-11-01T05:30:00")
    assert run_id_for("s1", moment) == run_id_for("s1", moment.astimezone(NEW_YORK))
    assert run_id_for("s1", moment) != run_id_for("s1", moment + timedelta(hours=1))
    assert run_id_for("s1", moment) != run_id_for("s2", moment)


@pytest.mark.parametrize(
    ("zone", "cron", "night"),
    [
        ("America/New_York", "30 1 * * *", "2026-11-01"),  # fall back: 01:30 comes twice
        ("America/New_York", "30 2 * * *", "2026-03-08"),  # spring forward: 02:30 never comes
        ("Europe/Berlin", "30 2 * * *", "2026-10-25"),
        ("Europe/Berlin", "30 2 * * *", "2026-03-29"),
    ],
)
def test_a_scheduler_ticking_every_minute_through_a_dst_night_fires_once(zone, cron, night):
    schedule = parse_schedule({"cron": cron, "timezone": zone, "catch_up_minutes": 5}, NOW)
    start = datetime.fromisoformat(f"{night}T00:00:00").replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    cursor, ran = start, []
    for minute in range(1, 6 * 60):
        due = due_fires(schedule, cursor, start + timedelta(minutes=minute))
        assert due.missed == []
        ran += due.run
        cursor = due.through
    assert len(ran) == 1
