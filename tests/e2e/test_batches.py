"""Batches end to end through the public API: a 50-row CSV with 3 invalid rows and an images ZIP, the
draft's errors by row and field, the cost preview, confirm, progress to completed_with_errors, a retry of
the failed rows, and results.csv and results.zip that match the outputs."""

import csv
import io
import json
import time
import zipfile

import httpx
import numpy as np
import pytest
from PIL import Image

from studio_common.testing.client import StudioClient

RECOLOUR_ROWS = (20, 40)  # valid, but the local provider knows no colour called "sparkly": they fail when run
UPSCALE_ROWS = (10, 25, 45)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def images_zip() -> bytes:
    photo = (np.indices((48, 64)).sum(axis=0) * 2 % 255).astype(np.uint8)
    mask = np.zeros((48, 64), np.uint8)
    mask[10:30, 10:40] = 255
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.png", png(np.dstack([photo, photo[::-1], 255 - photo])))
        archive.writestr("mask.png", png(mask))
    return buffer.getvalue()


def batch_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "name", "prompt", "width", "height", "image", "mask", "select_prompt"])
    for n in range(1, 51):
        if n == 5:
            writer.writerow(["create", f"row {n}", "", 64, 64, "", "", ""])
        elif n == 17:
            writer.writerow(["paint", f"row {n}", "a fox", "", "", "", "", ""])
        elif n == 33:
            writer.writerow(["upscale", f"row {n}", "", "", "", "https://example.com/a.png", "", ""])
        elif n in UPSCALE_ROWS:
            writer.writerow(["upscale", f"bigger {n}", "", "", "", "photo.png", "", ""])
        elif n in RECOLOUR_ROWS:
            writer.writerow(
                [
                    "edit.search_recolor",
                    f"recolour {n}",
                    "sparkly",
                    "",
                    "",
                    "photo.png",
                    "mask.png",
                    "the sky",
                ]
            )
        else:
            writer.writerow(["create", f"poster {n}", f"a lighthouse number {n}", 64, 64, "", "", ""])
    return out.getvalue().encode()


def wait_batch(user: StudioClient, batch_id: str, states: tuple[str, ...], timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = user.get(f"/api/image-studio/batches/{batch_id}").json()
        if batch["state"] in states and batch["credits"]["held"] == 0:
            return batch
        time.sleep(0.3)
    raise AssertionError(f"batch not {states}: {batch}")


@pytest.mark.e2e
def test_a_csv_batch_from_draft_to_results(user: StudioClient, admin: StudioClient):
    assert (
        admin.http.put(f"/api/billing/accounts/{user.user}/plan", json={"plan": "enterprise"}).status_code
        == 200
    )
    before = user.balance()
    response = user.post(
        "/api/image-studio/batches",
        data={"name": "spring campaign", "concurrency": "8"},
        files={
            "file": ("rows.csv", batch_csv(), "text/csv"),
            "images": ("images.zip", images_zip(), "application/zip"),
        },
    )
    assert response.status_code == 201, response.text
    draft = response.json()
    batch_id = draft["id"]
    assert (draft["state"], draft["total_rows"], draft["invalid_rows"]) == ("draft", 50, 3), draft["errors"]
    assert {e["row"]: e["field"] for e in draft["errors"]} == {
        n: f for f, n in {"prompt": 5, "kind": 17, "image": 33}.items()
    }
    assert "URLs are not fetched" in next(e["message"] for e in draft["errors"] if e["row"] == 33)
    preview = draft["preview"]
    by_kind = {k["kind"]: k["rows"] for k in preview["by_kind"]}
    assert by_kind["create"] == 42 and sum(by_kind.values()) == 47
    assert preview["covered"] is True and preview["available_credits"] == before["available_credits"]
    assert preview["total_credits"] == sum(line["credits"] for line in preview["lines"])

    refused = user.post(f"/api/image-studio/batches/{batch_id}/confirm")
    assert refused.status_code == 409 and "3 row(s) have errors" in refused.text
    confirmed = user.post(f"/api/image-studio/batches/{batch_id}/confirm", json={"skip_invalid": True})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["credits"]["reserved"] == preview["total_credits"]

    ended = wait_batch(user, batch_id, ("completed_with_errors",))
    assert ended["counts"] == {"succeeded": 45, "failed": 2, "skipped": 3}
    assert ended["progress"] == 1.0 and ended["finished_at"]
    failed = user.get(f"/api/image-studio/batches/{batch_id}/rows", params={"status": "failed"}).json()[
        "items"
    ]
    assert [r["row"] for r in failed] == list(RECOLOUR_ROWS)
    assert all("colour" in r["error"] for r in failed)
    balance = user.wait_no_pending()
    charged = ended["credits"]["charged"]
    assert before["available_credits"] - balance["available_credits"] == charged > 0
    assert ended["credits"]["released"] == ended["credits"]["reserved"] - charged

    retried = user.post(f"/api/image-studio/batches/{batch_id}/retry")
    assert retried.status_code == 200 and retried.json()["retried_rows"] == 2, retried.text
    again = wait_batch(user, batch_id, ("completed_with_errors",))
    rows = user.get(f"/api/image-studio/batches/{batch_id}/rows", params={"page_size": 100}).json()["items"]
    for row in rows:
        if row["row"] in RECOLOUR_ROWS:
            assert row["attempt"] == 2 and row["history"][0]["attempt"] == 1
            assert row["history"][0]["operation_id"] != row["operation_id"]
    assert again["credits"]["charged"] == charged and user.wait_no_pending()["pending_credits"] == 0

    events = user.get(f"/api/image-studio/batches/{batch_id}/events").text
    assert "event: batch" in events and "event: row" in events and "event: end" in events

    listing = user.get(f"/api/image-studio/batches/{batch_id}/results.csv")
    assert listing.status_code == 200
    lines = list(csv.DictReader(io.StringIO(listing.text)))
    assert [int(line["row"]) for line in lines] == list(range(1, 51))
    by_row = {row["row"]: row for row in rows}
    for line in lines:
        row = by_row[int(line["row"])]
        assert (line["status"], line["operation_id"], line["asset_ids"].split()) == (
            row["status"],
            row["operation_id"] or "",
            row["asset_ids"],
        )

    archive = zipfile.ZipFile(
        io.BytesIO(user.get(f"/api/image-studio/batches/{batch_id}/results.zip").content)
    )
    names = set(archive.namelist())
    assert "results.csv" in names and archive.read("results.csv").decode() == listing.text
    expected = {
        f"{r['row']:05d}-{r['name'].replace(' ', '-')}-{o['index']}.png": o["asset_id"]
        for r in rows
        if r["status"] == "succeeded"
        for o in r["outputs"]
    }
    assert names - {"results.csv"} == set(expected) and len(expected) == 45
    for name, asset_id in list(expected.items())[:5]:  # the files are the library's outputs, byte for byte
        url = user.get(f"/api/content-assets/{asset_id}/download").json()["url"]
        assert archive.read(name) == httpx.get(url).content

    one = user.operation(rows[0]["operation_id"])  # a batch row is an ordinary operation
    assert (one["status"], one["batch_id"]) == ("succeeded", batch_id) and one["outputs"]

    listed = user.get("/api/image-studio/batches").json()["items"]
    assert listed[0]["id"] == batch_id and json.dumps(listed[0]["credits"])


@pytest.mark.e2e
def test_bad_batches_get_a_named_4xx(user: StudioClient):
    too_many = [{"kind": "create", "prompt": "p"}] * 10_001
    response = user.post("/api/image-studio/batches", json={"rows": too_many})
    assert response.status_code == 413 and response.json()["code"] == "batch_too_large"
    assert user.get("/api/image-studio/batches").json()["total"] == 0  # the partial draft is gone
    broken = user.post("/api/image-studio/batches", files={"file": ("rows.json", b'[{"kind": "create"', "x")})
    assert broken.status_code == 422 and "not valid JSON" in broken.text
    assert user.post("/api/image-studio/batches", json={"rows": []}).status_code == 422
    assert (
        user.post(
            "/api/image-studio/batches",
            json={"rows": [{"kind": "create", "prompt": "p"}], "concurrency": 500},
        ).status_code
        == 422
    )
    assert user.get("/api/image-studio/batches/not-mine").status_code == 404


@pytest.mark.e2e
def test_a_batch_the_plan_does_not_cover_is_refused_with_the_reason(user: StudioClient):
    rows = [{"kind": "create", "prompt": f"p{n}", "width": 64, "height": 64} for n in range(11)]
    draft = user.post("/api/image-studio/batches", json={"rows": rows}).json()
    assert draft["preview"]["covered"] is False  # the free plan makes 10 images a month
    assert draft["preview"]["not_covered"]["reason"] == "quota_exceeded"
    refused = user.post(f"/api/image-studio/batches/{draft['id']}/confirm")
    assert refused.status_code == 409 and refused.json()["detail"]["reason"] == "quota_exceeded"
    batch = user.get(f"/api/image-studio/batches/{draft['id']}").json()
    assert batch["state"] == "draft" and batch["credits"]["reserved"] == 0
    assert user.balance()["pending_credits"] == 0
    assert user.post(f"/api/image-studio/batches/{draft['id']}/cancel").json()["state"] == "canceled"


@pytest.mark.e2e
def test_a_canceled_batch_keeps_and_charges_only_what_it_delivered(user: StudioClient, admin: StudioClient):
    assert admin.http.put(f"/api/billing/accounts/{user.user}/plan", json={"plan": "pro"}).status_code == 200
    before = user.balance()["available_credits"]
    rows = [
        {"kind": "create", "name": f"c{n}", "prompt": f"a cloud {n}", "width": 64, "height": 64}
        for n in range(1, 31)
    ]
    batch_id = user.post("/api/image-studio/batches", json={"rows": rows, "concurrency": 2}).json()["id"]
    assert user.post(f"/api/image-studio/batches/{batch_id}/confirm").status_code == 200
    deadline = time.monotonic() + 60
    while user.get(f"/api/image-studio/batches/{batch_id}").json()["counts"].get("succeeded", 0) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert user.post(f"/api/image-studio/batches/{batch_id}/cancel").status_code == 200
    ended = wait_batch(user, batch_id, ("canceled",))
    done = ended["counts"].get("succeeded", 0)
    assert 3 <= done < 30 and done + ended["counts"]["canceled"] == 30
    assert (
        ended["credits"]["charged"] == done and user.wait_no_pending()["available_credits"] == before - done
    )
    archive = zipfile.ZipFile(
        io.BytesIO(user.get(f"/api/image-studio/batches/{batch_id}/results.zip").content)
    )
    assert len(archive.namelist()) == done + 1  # the delivered outputs and results.csv
