"""Finding 6: a burst of parallel wrong passwords locks a share board on PostgreSQL, at most the limit of
guesses is ever checked, and the lock answers 429 with Retry-After; passwords have at least 8 characters."""

import asyncio
import uuid

import pytest

from studio_assets.domain.boards import LOCKOUT, MAX_FAILED_ATTEMPTS
from studio_assets.entrypoints.app import create_app
from studio_assets.settings import AssetsSettings
from studio_common.testing.apps import running, service_headers

PASSWORD = "right-password"


@pytest.fixture
async def assets(database_url, bus_names):
    app = create_app(AssetsSettings(database_url=database_url, **bus_names))
    async with running(app) as client:
        yield app, client


async def new_board(app, client, password: str | None = PASSWORD):
    owner = service_headers(app, "gateway", "owner")
    name = {"name": f"Secret {uuid.uuid4().hex}"}
    collection = (await client.post("/internal/collections", headers=owner, json=name)).json()
    body = {"collection_id": collection["id"], **({"password": password} if password else {})}
    return await client.post("/internal/boards", headers=owner, json=body)


async def test_sixty_parallel_wrong_passwords_lock_the_board(assets):
    app, client = assets
    board = (await new_board(app, client)).json()
    visitor = service_headers(app, "gateway")

    async def guess(password: str):
        return await client.post(
            "/internal/boards/open", headers=visitor, json={"token": board["token"], "password": password}
        )

    answers = await asyncio.gather(*(guess(f"wrong-{i}") for i in range(60)))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {403, 429}, statuses
    assert statuses.count(403) <= MAX_FAILED_ATTEMPTS  # no more guesses checked than the limit
    locked = await guess(PASSWORD)  # even the right password waits out the lock
    assert locked.status_code == 429, locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= LOCKOUT.total_seconds()


async def test_board_passwords_have_at_least_eight_characters(assets):
    app, client = assets
    assert (await new_board(app, client, "short")).status_code == 422
    assert (await new_board(app, client, "8-chars!")).status_code == 201


def test_the_gateway_passes_retry_after_through(user, gateway):
    import httpx

    op = user.wait(user.create(prompt="a locked board", width=64, height=64))
    [asset] = user.assets_of(op["operation_id"], 1)
    collection = user.post("/api/content-assets/collections", json={"name": "Locked"}).json()["id"]
    user.post(f"/api/content-assets/collections/{collection}/assets", json={"asset_ids": [asset["id"]]})
    assert (
        user.post(
            "/api/content-assets/boards", json={"collection_id": collection, "password": "1234"}
        ).status_code
        == 422
    )
    board = user.post(
        "/api/content-assets/boards", json={"collection_id": collection, "password": PASSWORD}
    ).json()
    link = f"{gateway}/api/shared/{board['token']}"
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert httpx.get(link, headers={"X-Board-Password": "wrong-guess"}).status_code == 403
    locked = httpx.get(link, headers={"X-Board-Password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
