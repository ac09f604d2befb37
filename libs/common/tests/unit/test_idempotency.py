"""The Idempotency-Key header type: optional, its header name, and refused over its length limit."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio_common.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH, IdempotencyKey

app = FastAPI()


@app.post("/echo")
async def echo(idempotency_key: IdempotencyKey = None) -> dict:
    return {"key": idempotency_key}


client = TestClient(app)


def test_the_header_is_optional():
    assert client.post("/echo").json() == {"key": None}


def test_the_header_is_read_by_its_http_name():
    assert client.post("/echo", headers={"Idempotency-Key": "abc-1"}).json() == {"key": "abc-1"}


def test_a_key_at_the_limit_is_taken_and_one_over_it_is_refused_naming_the_header():
    at_limit = "k" * IDEMPOTENCY_KEY_MAX_LENGTH
    assert client.post("/echo", headers={"Idempotency-Key": at_limit}).json() == {"key": at_limit}
    refused = client.post("/echo", headers={"Idempotency-Key": at_limit + "k"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
