"""A batch scheduled a few seconds ahead, with email and webhook notifications, through the public API:
the schedule is listed with its next fire, the run starts by itself, and both the run's start and the
batch's completion arrive as an email (.eml under the data directory, no SMTP server configured) and as
webhooks whose Standard Webhooks signature verifies with the secret shown once at submission."""

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from studio_common.testing.client import StudioClient


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict, bytes]]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/studio"
    server.shutdown()


def verified(secret: str, headers: dict, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split()


@pytest.mark.e2e
def test_a_scheduled_batch_runs_and_tells_its_owner(stack, user: StudioClient, receiver: str):
    at = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    rows = [
        {"kind": "create", "name": f"n{n}", "prompt": f"a note {n}", "width": 64, "height": 64}
        for n in range(1, 4)
    ]
    response = user.post(
        "/api/image-studio/batches",
        json={
            "name": "nightly notes",
            "rows": rows,
            "schedule": {"at": at},
            "notify": {"email": "ops@example.com", "webhook_url": receiver},
        },
    )
    assert response.status_code == 201, response.text
    draft = response.json()
    secret, batch_id = draft["webhook_secret"], draft["id"]
    assert secret.startswith("whsec_") and draft["next_fire_times"]
    assert "webhook_secret" not in json.dumps(user.get(f"/api/image-studio/batches/{batch_id}").json())

    confirmed = user.post(f"/api/image-studio/batches/{batch_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "scheduled", confirmed.text
    schedules = user.get("/api/image-studio/batch-schedules").json()["items"]
    assert [s["batch_id"] for s in schedules] == [batch_id]

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        batch = user.get(f"/api/image-studio/batches/{batch_id}").json()
        kinds = [json.loads(body)["type"] for _, body in Receiver.received]
        if batch["state"] == "completed" and "batch.completed" in kinds:
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"not completed and notified: {batch['state']}, webhooks {kinds}")
    assert batch["counts"] == {"succeeded": 3} and batch["run_id"]
    assert kinds[0] == "schedule.run_started"
    for headers, body in Receiver.received:
        assert verified(secret, headers, body)
    done = next(json.loads(b) for _, b in Receiver.received if json.loads(b)["type"] == "batch.completed")
    assert done["data"]["batch_id"] == batch_id

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [
            BytesParser(policy=policy.default).parsebytes(p.read_bytes())
            for p in (stack.data_dir / "mail").glob("*.eml")
        ]
        mine = [m for m in mails if "nightly notes" in str(m["Subject"])]
        if len(mine) >= 2:
            break
        time.sleep(0.3)
    assert {str(m["To"]) for m in mine} == {"ops@example.com"} and len(mine) == 2
    shown = user.get(f"/api/image-studio/batches/{batch_id}").json()["notifications"]
    assert {(n["channel"], n["status"]) for n in shown} >= {("webhook", "delivered"), ("email", "delivered")}
