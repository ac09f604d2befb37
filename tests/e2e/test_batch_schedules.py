"""Scheduled batches and notifications through the public API: a batch set to run a few seconds later
runs once at its time; its owner gets a signed webhook when the run starts and when it ends, and an
email (an .eml file: the stack runs without an SMTP server); bad schedules and notify targets are named
422s. The stack allows webhooks to 127.0.0.1 (STUDIO_WEBHOOK_ALLOWED_HOSTS), as an operator would for a
receiver inside the cluster."""

import email
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from studio_batch.domain.webhooks import verify
from studio_common.ids import as_utc
from studio_common.testing.client import StudioClient

ROWS = [{"kind": "create", "name": f"poster {n}", "prompt": f"a lighthouse number {n}", "width": 64, "height": 64}
        for n in (1, 2)]


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/studio-hook"

    def events(self) -> list[str]:
        return [json.loads(r["body"])["type"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def wait_for(check, timeout: float = 90, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.e2e
def test_a_batch_runs_at_its_time_and_tells_its_owner(user: StudioClient, receiver: Receiver, stack):
    at = datetime.now(UTC) + timedelta(seconds=10)  # room for a slow submission on a busy machine
    response = user.post("/api/image-studio/batches", json={
        "name": "launch posters", "rows": ROWS, "concurrency": 2, "schedule": {"at": at.isoformat()},
        "notify": {"email": "ops@example.com", "webhook_url": receiver.url}})
    assert response.status_code == 201, response.text
    draft = response.json()
    secret = draft["webhook_secret"]
    assert secret.startswith("whsec_")
    assert "webhook_secret" not in json.dumps(user.get(f"/api/image-studio/batches/{draft['id']}").json())

    confirmed = user.post(f"/api/image-studio/batches/{draft['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "scheduled"

    ended = wait_for(lambda: (b := user.get(f"/api/image-studio/batches/{draft['id']}").json())["state"]
                     in ("completed", "completed_with_errors", "failed") and b, what="the batch to end")
    assert ended["state"] == "completed"
    assert as_utc(datetime.fromisoformat(ended["started_at"])) >= at

    wait_for(lambda: "batch.completed" in receiver.events(), 30, "the completion webhook")
    assert receiver.events() == ["schedule.run_started", "batch.completed"]
    for request in receiver.requests:  # each one signed with the secret shown at creation
        verify(secret, request["headers"], request["body"], datetime.now(UTC))
    completed = json.loads(receiver.requests[-1]["body"])["data"]
    assert completed["batch_id"] == draft["id"] and completed["counts"] == {"succeeded": 2}

    mail_dir = stack.data_dir / "mail"
    subjects = wait_for(lambda: len(files := list(mail_dir.glob("*.eml"))) >= 2 and sorted(
        email.message_from_bytes(f.read_bytes(), policy=email_policy.default)["Subject"] for f in files
        if b"ops@example.com" in f.read_bytes()), 30, "two emails")
    assert subjects == ["Batch “launch posters” completed", "Scheduled run of “launch posters” started"]


@pytest.mark.e2e
@pytest.mark.parametrize(("header", "field"), [
    ({"schedule": {"cron": "61 * * * *"}}, "schedule.cron"),
    ({"schedule": {"cron": "0 9 * * MON", "timezone": "Mars/Olympus"}}, "schedule.timezone"),
    ({"schedule": {"at": "2020-01-01T00:00:00Z"}}, "schedule.at"),
    ({"notify": {"webhook_url": "http://hooks.example.com/x"}}, "notify.webhook_url"),
    ({"notify": {"email": "not an address"}}, "notify.email"),
])
def test_bad_schedules_and_notify_targets_are_named_422s(user: StudioClient, header, field):
    response = user.post("/api/image-studio/batches", json={"name": "bad", "rows": ROWS, "concurrency": 2, **header})
    assert response.status_code == 422, response.text
    assert field in response.text


@pytest.mark.e2e
def test_a_cron_schedule_shows_its_next_fires_makes_runs_and_can_be_paused_resumed_and_deleted(
        user: StudioClient):
    weekly = user.post("/api/image-studio/batches", json={
        "name": "monday posters", "rows": ROWS, "concurrency": 2,
        "schedule": {"cron": "0 9 * * MON", "timezone": "Europe/Berlin"}}).json()
    assert user.post(f"/api/image-studio/batches/{weekly['id']}/confirm").json()["state"] == "scheduled"
    schedule_id = user.get(f"/api/image-studio/batches/{weekly['id']}").json()["schedule_id"]
    [listed] = [s for s in user.get("/api/image-studio/batch-schedules").json()["items"] if s["id"] == schedule_id]
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
    minutely = user.post("/api/image-studio/batches", json={
        "name": "every minute", "rows": ROWS[:1], "concurrency": 2,
        "schedule": {"cron": "* * * * *", "overlap": "skip"}}).json()
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
