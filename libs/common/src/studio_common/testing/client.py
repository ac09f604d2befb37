"""Test tooling: a client of the public API as a user would drive it."""

import json
import time
from pathlib import Path

import httpx

from studio_common.auth import issue_token

SECRET = "e2e-secret-" + "x" * 32


class StudioClient:
    def __init__(self, base_url: str, user: str, admin: bool = False) -> None:
        self.user = user
        token = issue_token(user, SECRET, admin=admin)
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.http.post(path, **kw)

    def create(self, **body) -> str:
        response = self.post("/api/image-studio/create", json=body)
        assert response.status_code == 202, response.text
        return response.json()["operation_id"]

    def operation(self, operation_id: str) -> dict:
        response = self.get(f"/api/image-studio/operations/{operation_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, operation_id: str, timeout: float = 60, settled: bool = True) -> dict:
        """Until the operation is final (and, if `settled`, billing has charged or released it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            op = self.operation(operation_id)
            final = op["status"] in ("succeeded", "failed", "canceled", "rejected", "expired")
            money_done = (
                not settled or op["status"] == "rejected" or op["cost"]["charged_credits"] is not None
            )
            if final and money_done:
                return op
            time.sleep(0.1)
        raise AssertionError(
            f"operation {operation_id} not final in {timeout}s: {self.operation(operation_id)}"
        )

    def balance(self) -> dict:
        return self.get("/api/billing/balance").json()

    def wait_no_pending(self, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            balance = self.balance()
            if balance["pending_credits"] == 0:
                return balance
            time.sleep(0.1)
        raise AssertionError(f"credits still pending: {self.balance()}")

    def assets_of(self, operation_id: str, expected: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.get(
                "/api/content-assets", params={"operation_id": operation_id, "page_size": 100}
            ).json()["items"]
            if len(items) >= expected:
                return items
            time.sleep(0.1)
        raise AssertionError(f"expected {expected} assets for {operation_id}")


def read_spans(data_dir: Path) -> list[dict]:
    path = Path(data_dir) / "spans.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
