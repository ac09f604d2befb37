"""A batch service SIGKILLed in the middle of a run resumes its window from the database: every row runs
once (one operation.requested per row in its outbox, one operation and one asset per row) and every
credit of the reservation is charged or released."""

import sqlite3
import time

import pytest

from studio_common.testing.client import StudioClient

ROWS = 60


def wait_batch(user: StudioClient, batch_id: str, done, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = user.get(f"/api/image-studio/batches/{batch_id}").json()
        if done(batch):
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch did not get there: {batch}")


@pytest.mark.e2e
def test_a_killed_batch_service_resumes_without_sending_a_row_twice(
    stack, user: StudioClient, admin: StudioClient
):
    assert (
        admin.http.put(f"/api/billing/accounts/{user.user}/plan", json={"plan": "enterprise"}).status_code
        == 200
    )
    before = user.balance()["available_credits"]
    rows = [
        {"kind": "create", "name": f"tile {n}", "prompt": f"a tile pattern {n}"} for n in range(1, ROWS + 1)
    ]
    draft = user.post(
        "/api/image-studio/batches",
        json={"name": "restart", "concurrency": 4, "rows": rows, "defaults": {"width": 64, "height": 64}},
    )
    assert draft.status_code == 201, draft.text
    batch_id = draft.json()["id"]
    assert user.post(f"/api/image-studio/batches/{batch_id}/confirm").status_code == 200

    wait_batch(user, batch_id, lambda b: b["counts"].get("succeeded", 0) >= 8)
    stack.stop("batch", kill=True)  # SIGKILL: no drain, rows in flight, outbox rows possibly unsent
    time.sleep(1.5)  # the pipeline keeps finishing the rows that were in flight meanwhile
    stack.start("batch")
    stack.wait_ready("batch")

    ended = wait_batch(user, batch_id, lambda b: b["state"] == "completed" and b["credits"]["held"] == 0)
    assert ended["counts"] == {"succeeded": ROWS}
    listed = user.get(f"/api/image-studio/batches/{batch_id}/rows", params={"page_size": 100}).json()["items"]
    operation_ids = [row["operation_id"] for row in listed]
    assert len(set(operation_ids)) == ROWS and all(len(row["asset_ids"]) == 1 for row in listed)
    with sqlite3.connect(stack.data_dir / "batch.db") as db:
        sent = db.execute(
            "SELECT json_extract(envelope, '$.subject') FROM outbox "
            "WHERE routing_key LIKE 'operation.requested.%' AND "
            "json_extract(envelope, '$.data.batch_id') = ?",
            (batch_id,),
        ).fetchall()
    assert sorted(s for (s,) in sent) == sorted(operation_ids)  # each row's request was written once
    library = user.get("/api/content-assets", params={"page_size": 100}).json()
    assert library["total"] == ROWS
    credits = ended["credits"]
    assert credits["reserved"] == credits["charged"] + credits["released"] and credits["charged"] == ROWS
    balance = user.wait_no_pending()
    assert before - balance["available_credits"] == credits["charged"]
