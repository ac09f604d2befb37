"""Finding 7: the gateway refuses an oversized body with 413 before receiving it, and rate-limits each
user and each address (429 with Retry-After), in process or shared through Redis by every replica."""

import socket
import time
import uuid

import httpx
import pytest

from studio_common.auth import issue_token
from studio_common.settings import DEFAULT_JWT_SECRET
from studio_common.testing.apps import running
from studio_gateway.entrypoints.app import create_app
from studio_gateway.settings import GatewaySettings

REDIS_URL = "redis://127.0.0.1:6379/0"


def gateway_settings(bus_names, tmp_path, **overrides) -> GatewaySettings:
    data = tmp_path / uuid.uuid4().hex[:6]
    return GatewaySettings(
        _env_file=None,
        environment="test",
        data_dir=str(data),
        storage_dir=str(data / "s"),
        **bus_names,
        **overrides,
    )


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, DEFAULT_JWT_SECRET)}"}


async def test_a_declared_oversized_body_is_refused_before_it_is_read(bus_names, tmp_path):
    app = create_app(gateway_settings(bus_names, tmp_path, max_request_bytes=10_000))
    pulled = []

    async def body():
        for index in range(1000):  # 10 MB in 10 kB chunks, pulled only as the server reads
            pulled.append(index)
            yield b"x" * 10_000

    async with running(app) as client:
        declared = await client.post(
            "/api/image-studio/create",
            headers={**bearer("ann"), "Content-Length": "20000"},
            content=b"{" + b" " * 19_998 + b"}",
        )
        assert declared.status_code == 413 and "10000 byte limit" in declared.json()["detail"]
        streamed = await client.post("/api/image-studio/edit/process", headers=bearer("ann"), content=body())
        assert streamed.status_code == 413, streamed.text
        assert len(pulled) <= 3  # refused at the cap, not after the whole body
        small = await client.post("/api/image-studio/create", headers=bearer("ann"), json={"prompt": ""})
        assert small.status_code == 422


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_each_user_and_each_address_has_a_budget(bus_names, tmp_path, backend):
    redis = {"rate_limit_redis_url": REDIS_URL} if backend == "redis" else {}
    app = create_app(
        gateway_settings(
            bus_names, tmp_path, rate_limit_per_user="5/minute", rate_limit_per_ip="12/minute", **redis
        )
    )
    ann, bob = f"ann-{uuid.uuid4().hex[:8]}", f"bob-{uuid.uuid4().hex[:8]}"
    # An address of this run's own: Redis keeps an address's count for the minute, across test runs.
    address = "10." + ".".join(str(byte) for byte in uuid.uuid4().bytes[:3])
    async with running(app, client_address=address) as client:
        client.headers["X-Forwarded-For"] = "ignored"  # no trusted proxy: the socket address counts
        for _ in range(5):
            assert (await client.get("/api/image-studio/operations", headers=bearer(ann))).status_code == 200
        refused = await client.get("/api/image-studio/operations", headers=bearer(ann))
        assert refused.status_code == 429 and "user" in refused.json()["detail"]
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert (await client.get("/api/image-studio/operations", headers=bearer(bob))).status_code == 200
        answers = [(await client.get("/api/shared/no-such-board")).status_code for _ in range(8)]
        assert answers[-1] == 429 and set(answers) <= {404, 503, 429}  # the address's budget ran out
        assert int((await client.get("/api/shared/x")).headers["Retry-After"]) > 0


async def test_redis_counts_are_shared_by_every_replica(bus_names, tmp_path):
    settings = {"rate_limit_per_user": "4/minute", "rate_limit_redis_url": REDIS_URL}
    first = create_app(gateway_settings(bus_names, tmp_path, **settings))
    second = create_app(gateway_settings(bus_names, tmp_path, **settings))
    user = bearer(f"cy-{uuid.uuid4().hex[:8]}")
    async with running(first) as one, running(second) as two:
        for client in (one, two, one, two):
            assert (await client.get("/api/image-studio/operations", headers=user)).status_code == 200
        assert (await two.get("/api/image-studio/operations", headers=user)).status_code == 429
        assert (await one.get("/api/image-studio/operations", headers=user)).status_code == 429


async def test_behind_a_trusted_proxy_the_forwarded_address_counts(bus_names, tmp_path):
    settings = gateway_settings(bus_names, tmp_path, rate_limit_per_ip="2/minute", trusted_proxy_hops=1)
    app = create_app(settings)
    async with running(app) as client:
        for address in ("203.0.113.1", "203.0.113.1"):
            assert (await client.get("/healthz", headers={"X-Forwarded-For": address})).status_code == 200
        spoof = {"X-Forwarded-For": "1.2.3.4, 203.0.113.1"}  # the proxy appended the real address
        statuses = [(await client.get("/api/shared/x", headers=spoof)).status_code for _ in range(3)]
        assert statuses[-1] == 429
        other = {"X-Forwarded-For": "203.0.113.2"}
        assert (await client.get("/api/shared/x", headers=other)).status_code != 429


def test_a_300_mb_upload_is_refused_at_once_by_the_running_gateway(gateway):
    url = httpx.URL(gateway)
    with socket.create_connection((url.host, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/image-studio/edit/process HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 314572800\r\n\r\n--b\r\n"
        )
        started = time.monotonic()
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer
    assert time.monotonic() - started < 5


async def test_several_limits_and_an_unreachable_redis():
    from studio_gateway.adapters.rate_limits import RateLimits

    limits = RateLimits("10/minute;2/second", "", None)
    who = uuid.uuid4().hex
    assert [await limits.hit_user(who) for _ in range(3)][:2] == [None, None]
    assert (await limits.hit_user(who)).limit == "2 per 1 second"
    assert await limits.hit_ip("198.51.100.7") is None  # no address limit configured
    down = RateLimits("1/minute", "1/minute", "redis://127.0.0.1:9/0")  # nothing listens on port 9
    assert await down.hit_user(who) is None and await down.hit_user(who) is None  # let through, logged
    await down.aclose()
