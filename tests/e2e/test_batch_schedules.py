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

import pytest
from studio_batch.domain.webhooks import verify
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
    at = datetime.now(UTC) + timedelta(seconds=4)
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
    assert ended["state"] == "completed" and ended["started_at"] >= at.isoformat()

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
