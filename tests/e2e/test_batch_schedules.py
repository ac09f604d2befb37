"""Recurring schedules through the public API: a weekly schedule in Berlin time lists its next five fires
and can be paused, resumed and deleted; an every-minute schedule makes a run of its own per fire; bad
schedules and notify targets are named 422s. (A one-off scheduled batch with its email and webhooks is
test_batch_notify.py.)"""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from studio_common.testing.client import StudioClient

ROWS = [
    {"kind": "create", "name": f"poster {n}", "prompt": f"a lighthouse number {n}", "width": 64, "height": 64}
    for n in (1, 2)
]


def wait_for(check, timeout: float = 90, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("header", "field"),
    [
        ({"schedule": {"cron": "61 * * * *"}}, "schedule.cron"),
        ({"schedule": {"cron": "0 9 * * MON", "timezone": "Mars/Olympus"}}, "schedule.timezone"),
        ({"schedule": {"at": "2020-01-01T00:00:00Z"}}, "schedule.at"),
        ({"notify": {"webhook_url": "http://hooks.example.com/x"}}, "notify.webhook_url"),
        ({"notify": {"email": "not an address"}}, "notify.email"),
    ],
)
def test_bad_schedules_and_notify_targets_are_named_422s(user: StudioClient, header, field):
    response = user.post(
        "/api/image-studio/batches", json={"name": "bad", "rows": ROWS, "concurrency": 2, **header}
    )
    assert response.status_code == 422, response.text
    assert field in response.text


@pytest.mark.e2e
def test_a_cron_schedule_shows_its_next_fires_makes_runs_and_can_be_paused_resumed_and_deleted(
    user: StudioClient,
):
    weekly = user.post(
        "/api/image-studio/batches",
        json={
            "name": "monday posters",
            "rows": ROWS,
            "concurrency": 2,
            "schedule": {"cron": "0 9 * * MON", "timezone": "Europe/Berlin"},
        },
    ).json()
    assert user.post(f"/api/image-studio/batches/{weekly['id']}/confirm").json()["state"] == "scheduled"
    schedule_id = user.get(f"/api/image-studio/batches/{weekly['id']}").json()["schedule_id"]
    [listed] = [
        s for s in user.get("/api/image-studio/batch-schedules").json()["items"] if s["id"] == schedule_id
    ]
    fires = [datetime.fromisoformat(f) for f in listed["next_fire_times"]]
    assert len(fires) == 5 and all(f > datetime.now(UTC) for f in fires)
    assert {f.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") for f in fires} == {"Mon 09:00"}

    paused = user.post(f"/api/image-studio/batch-schedules/{schedule_id}/pause")
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    assert paused.json()["next_fire_times"] == []
    resumed = user.post(f"/api/image-studio/batch-schedules/{schedule_id}/resume").json()
    assert resumed["state"] == "active" and resumed["next_fire_times"] == listed["next_fire_times"]
    assert user.http.delete(f"/api/image-studio/batch-schedules/{schedule_id}").status_code == 200
    assert schedule_id not in {s["id"] for s in user.get("/api/image-studio/batch-schedules").json()["items"]}
    assert user.get(f"/api/image-studio/batch-schedules/{schedule_id}").status_code == 404


@pytest.mark.e2e
def test_every_minute_makes_one_run_per_fire(user: StudioClient, other_user: StudioClient):
    minutely = user.post(
        "/api/image-studio/batches",
        json={
            "name": "every minute",
            "rows": ROWS[:1],
            "concurrency": 2,
            "schedule": {"cron": "* * * * *", "overlap": "skip"},
        },
    ).json()
    user.post(f"/api/image-studio/batches/{minutely['id']}/confirm")
    schedule_id = user.get(f"/api/image-studio/batches/{minutely['id']}").json()["schedule_id"]
    assert other_user.get(f"/api/image-studio/batch-schedules/{schedule_id}").status_code == 404

    def finished_runs():
        runs = user.get(f"/api/image-studio/batch-schedules/{schedule_id}/runs").json()["items"]
        return [r for r in runs if r["id"] != minutely["id"] and r["state"] == "completed"]

    run = wait_for(finished_runs, 150, "a run of the schedule to finish")[0]
    view = user.get(f"/api/image-studio/batch-schedules/{schedule_id}").json()
    user.http.delete(f"/api/image-studio/batch-schedules/{schedule_id}")
    assert {f["run_id"]: f["outcome"] for f in view["fires"]}[run["id"]] == "started"
    fires = user.get(f"/api/image-studio/batches/{run['id']}").json()
    assert fires["run_id"] == run["id"] and fires["counts"] == {"succeeded": 1}
    started = datetime.fromisoformat(fires["started_at"])
    assert started.second < 30  # started by the fire at the top of its minute, not some time later
