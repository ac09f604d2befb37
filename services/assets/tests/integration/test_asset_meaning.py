"""The library's content tags, search by meaning and near-duplicate stacks, against real RabbitMQ and a real
database (SQLite and PostgreSQL), with the real MiniLM model."""

import asyncio
import threading
import time

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import delete, select

from studio_assets.adapters.tables import asset_embeddings, pending_embeddings
from studio_assets.entrypoints import consumers
from studio_assets.entrypoints.app import create_app
from studio_assets.service_layer import vectors
from studio_assets.settings import AssetsSettings
from studio_common.events import AssetIndexed, OperationCompleted, OutputRef
from studio_common.ids import asset_id_for, new_id
from studio_common.service_auth import ServiceTokens
from studio_common.testing.apps import running
from studio_common.testing.recorder import EventRecorder
from studio_providers.models import embed as text_model

URL = "/internal/assets"
GATEWAY_TOKENS = ServiceTokens(AssetsSettings(service_name="gateway"))


def as_user(user_id: str) -> dict[str, str]:
    """The gateway's service token for a call on behalf of `user_id`."""
    return GATEWAY_TOKENS.headers("assets", ("library",), user_id)


def completed(
    user: str,
    prompt: str,
    *,
    tags: list[str] | None = None,
    phash: str | None = None,
    methods: dict | None = None,
    kind: str = "create",
) -> OperationCompleted:
    operation_id = new_id()
    output = OutputRef(
        index=0,
        storage_key=f"users/{user}/operations/{operation_id}/0.png",
        content_type="image/png",
        width=512,
        height=512,
        bytes=1000,
        tags=tags,
        phash=phash,
        methods=methods,
    )
    return OperationCompleted(
        operation_id=operation_id,
        user_id=user,
        kind=kind,
        provider="local",
        model="local-render",
        outputs=[output],
        units_delivered=1,
        unit_credits=1,
        prompt=prompt,
    )


async def index(bus: EventRecorder, event: OperationCompleted) -> str:
    await bus.publish(event)
    await bus.wait_for(lambda _: bus.of_type(AssetIndexed, event.operation_id))
    return asset_id_for(event.operation_id, 0)


async def listed(client, user: str, **params) -> dict:
    response = await client.get(URL, headers=as_user(user), params={"page_size": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def library(bus_names, database_url, amqp_url):
    settings = AssetsSettings(
        amqp_url="amqp://guest:guest@127.0.0.1:5672/", database_url=database_url, **bus_names
    )
    app = create_app(settings)
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        yield app, client, bus


async def test_search_by_meaning_ranks_a_car_above_ramen_for_automobile(library):
    _, client, bus = library
    car = await index(bus, completed("ann", "a red sports car on a highway"))
    ramen = await index(bus, completed("ann", "a bowl of ramen"))
    await index(bus, completed("ann", "a lighthouse at dawn"))
    await index(bus, completed("bob", "a vintage automobile"))  # another user's: never listed

    semantic = await listed(client, "ann", search="automobile", search_mode="semantic")
    ids = [item["id"] for item in semantic["items"]]
    assert semantic["search_mode"] == "semantic" and ids[0] == car
    assert ramen not in ids  # below the cut-off
    assert semantic["items"][0]["score"] > 0.3

    assert (await listed(client, "ann", search="automobile", search_mode="keyword"))["total"] == 0
    hybrid = await listed(client, "ann", search="automobile")
    assert hybrid["search_mode"] == "hybrid" and [i["id"] for i in hybrid["items"]][0] == car


async def test_hybrid_lists_keyword_matches_first_then_meaning(library):
    _, client, bus = library
    noodles = await index(bus, completed("ann", "hand-pulled noodles in a steaming broth"))
    ramen = await index(bus, completed("ann", "a bowl of ramen"))
    await index(bus, completed("ann", "a red sports car on a highway"))
    found = await listed(client, "ann", search="ramen")
    ids = [item["id"] for item in found["items"]]
    assert ids[:2] == [ramen, noodles] and found["total"] == 2
    assert found["items"][0]["score"] is not None


async def test_filters_apply_to_search_by_meaning(library):
    _, client, bus = library
    car = await index(bus, completed("ann", "a red sports car on a highway", kind="edit.inpaint"))
    await index(bus, completed("ann", "a blue pickup truck in the desert"))
    found = await listed(client, "ann", search="automobile", search_mode="semantic", module="edit")
    assert [item["id"] for item in found["items"]] == [car]
    assert (await client.delete(f"{URL}/{car}", headers=as_user("ann"))).status_code == 200
    assert car not in [i["id"] for i in (await listed(client, "ann", search="automobile"))["items"]]


async def test_assets_without_vectors_get_them_at_the_first_search(library):
    app, client, bus = library
    car = await index(bus, completed("ann", "a red sports car on a highway"))
    async with app.state.runtime.sessions() as session, session.begin():
        await session.execute(delete(asset_embeddings))
    found = await listed(client, "ann", search="automobile", search_mode="semantic")
    assert [item["id"] for item in found["items"]] == [car]


async def test_renaming_changes_what_an_asset_means(library):
    _, client, bus = library
    asset = await index(bus, completed("ann", "untitled study 4"))
    assert (await listed(client, "ann", search="automobile", search_mode="semantic"))["total"] == 0
    response = await client.patch(
        f"{URL}/{asset}", headers=as_user("ann"), json={"title": "Classic car at the seaside"}
    )
    assert response.status_code == 200
    found = await listed(client, "ann", search="automobile", search_mode="semantic")
    assert [item["id"] for item in found["items"]] == [asset]


async def test_content_tags_are_kept_beside_the_prompt_keywords_and_filterable(library):
    _, client, bus = library
    portrait = await index(
        bus,
        completed(
            "ann",
            "upscaled headshot",
            tags=["person", "1 face", "portrait"],
            phash="c2924c5532bddfc8",
            methods={"faces": "blazeface"},
        ),
    )
    await index(bus, completed("ann", "a bowl of ramen", tags=["horizontal", "brown"]))
    asset = (await client.get(f"{URL}/{portrait}", headers=as_user("ann"))).json()
    assert asset["tags"][:2] == ["upscaled", "headshot"] and {"person", "1 face", "portrait"} <= set(
        asset["tags"]
    )
    assert asset["methods"] == {"faces": "blazeface"} and asset["phash"] == "c2924c5532bddfc8"
    assert [item["id"] for item in (await listed(client, "ann", tag="person"))["items"]] == [portrait]


async def test_similar_lists_near_duplicates_nearest_first(library):
    _, client, bus = library
    original = await index(bus, completed("ann", "harbour at night", phash="c2924c5532bddfc8"))
    resized = await index(bus, completed("ann", "harbour at night, upscaled", phash="c2924c5532bddfc9"))
    edited = await index(bus, completed("ann", "harbour, warmer", phash="c2924c5532bd00c8"))
    await index(bus, completed("ann", "a bowl of ramen", phash="3d6db3aacd422037"))
    await index(bus, completed("bob", "harbour at night", phash="c2924c5532bddfc8"))
    similar = (await client.get(f"{URL}/{original}/similar", headers=as_user("ann"))).json()
    assert [(item["id"], item["distance"]) for item in similar["items"]] == [(resized, 1), (edited, 7)]
    assert (await client.get(f"{URL}/{original}/similar", headers=as_user("bob"))).status_code == 404


async def test_without_the_model_files_search_is_by_keyword_and_says_so(library, tmp_path, monkeypatch):
    from studio_providers.models import store

    _, client, bus = library
    monkeypatch.setenv(store.MODELS_DIR_ENV, str(tmp_path))
    store.forget()
    try:
        car = await index(bus, completed("ann", "a red sports car on a highway"))
        found = await listed(client, "ann", search="automobile")
        assert (
            found["total"] == 0
            and found["search_mode"] == "keyword"
            and "unavailable" in found["search_note"]
        )
        assert [i["id"] for i in (await listed(client, "ann", search="sports car"))["items"]] == [car]
    finally:
        monkeypatch.delenv(store.MODELS_DIR_ENV)
        store.forget()


@pytest.fixture
async def library_embedding_on_demand(bus_names, database_url, amqp_url, monkeypatch):
    """The library with its embedder's period out of reach: the test runs `embed_pending` itself."""
    monkeypatch.setattr(consumers, "EMBED_EVERY_SECONDS", 3600.0)
    settings = AssetsSettings(amqp_url=amqp_url, database_url=database_url, **bus_names)
    app = create_app(settings)
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        yield app, client, bus


async def test_indexed_assets_get_their_vectors_after_in_one_model_call(
    library_embedding_on_demand, monkeypatch
):
    app, client, bus = library_embedding_on_demand
    runtime = app.state.runtime
    real, calls = text_model.embed, []
    monkeypatch.setattr(text_model, "embed", lambda texts: calls.append(list(texts)) or real(texts))
    prompts = ["a red sports car on a highway", "a bowl of ramen", "a lighthouse at dawn"]
    ids = [await index(bus, completed(user, prompt)) for user, prompt in zip("aab", prompts, strict=True)]
    renamed = await client.patch(f"{URL}/{ids[2]}", headers=as_user("b"), json={"title": "Seaside beacon"})
    assert renamed.status_code == 200 and len(calls) == 1  # a rename makes its vector at once
    assert await stored_vectors(runtime) == {ids[2]: "b"} and await waiting(runtime) == set(ids)

    assert await vectors.embed_pending(runtime) == 3
    assert len(calls) == 2 and len(calls[1]) == 2  # the two without a vector, in one model call
    assert await stored_vectors(runtime) == {ids[0]: "a", ids[1]: "a", ids[2]: "b"}
    assert not await waiting(runtime)
    found = await listed(client, "b", search="seaside beacon", search_mode="semantic")
    assert [item["id"] for item in found["items"]] == [ids[2]]  # the rename's vector was kept
    assert await vectors.embed_pending(runtime) == 0 and len(calls) == 3  # the third: the search's term


async def stored_vectors(runtime) -> dict[str, str]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(asset_embeddings.c.asset_id, asset_embeddings.c.user_id))
        return dict(rows.all())


async def waiting(runtime) -> set[str]:
    async with runtime.sessions() as session:
        return set((await session.scalars(select(pending_embeddings.c.asset_id))).all())


async def test_the_service_makes_the_vectors_of_new_assets_by_itself(library):
    app, _, bus = library
    asset = await index(bus, completed("ann", "a red sports car on a highway"))
    for _ in range(100):
        if asset in await stored_vectors(app.state.runtime):
            break
        await asyncio.sleep(0.1)
    assert asset in await stored_vectors(app.state.runtime) and not await waiting(app.state.runtime)


async def test_a_search_makes_missing_vectors_without_holding_the_writer(
    library_embedding_on_demand, monkeypatch
):
    app, client, bus = library_embedding_on_demand
    car = await index(bus, completed("ann", "a red sports car on a highway"))
    real, calls, backfilling = text_model.embed, [], threading.Event()

    def slow(texts):
        calls.append(texts)
        if len(calls) == 2:  # the first is the search text's; the second makes the car's vector
            backfilling.set()
            time.sleep(1.5)
        return real(texts)

    monkeypatch.setattr(text_model, "embed", slow)
    searching = asyncio.create_task(listed(client, "ann", search="automobile", search_mode="semantic"))
    assert await asyncio.to_thread(backfilling.wait, 10)
    started = time.perf_counter()
    async with app.state.runtime.transaction() as session:  # indexing's, say: not behind the model call
        await session.execute(select(asset_embeddings.c.asset_id))
    assert time.perf_counter() - started < 0.75  # behind the model call: the rest of its 1.5 s
    assert [item["id"] for item in (await searching)["items"]] == [car]


async def test_the_waiting_vectors_are_a_gauge_for_monitoring(library_embedding_on_demand):
    app, _, bus = library_embedding_on_demand
    runtime = app.state.runtime
    for prompt in ("a red sports car on a highway", "a bowl of ramen"):
        await index(bus, completed("ann", prompt))
    await asyncio.sleep(0.2)
    await consumers.count_waiting_vectors(runtime)
    assert REGISTRY.get_sample_value("studio_vectors_waiting") == 2
    assert REGISTRY.get_sample_value("studio_vectors_oldest_wait_seconds") >= 0.2

    await vectors.embed_pending(runtime)
    await consumers.count_waiting_vectors(runtime)
    assert REGISTRY.get_sample_value("studio_vectors_waiting") == 0
    assert REGISTRY.get_sample_value("studio_vectors_oldest_wait_seconds") == 0


@pytest.fixture
def refusing_model(monkeypatch):
    """MiniLM, refusing every call with a text that says "unreadable" in it."""
    real = text_model.embed

    def refusing(texts):
        if any("unreadable" in text for text in texts):
            raise RuntimeError("the model refused a text")
        return real(texts)

    monkeypatch.setattr(text_model, "embed", refusing)


async def test_a_text_the_model_refuses_does_not_hold_back_the_others(
    library_embedding_on_demand, refusing_model
):
    app, _, bus = library_embedding_on_demand
    good = await index(bus, completed("ann", "a red sports car on a highway"))
    await index(bus, completed("ann", "an unreadable scan"))
    assert await vectors.embed_pending(app.state.runtime) == 2
    assert await stored_vectors(app.state.runtime) == {good: "ann"} and not await waiting(app.state.runtime)


async def test_a_text_the_model_refuses_leaves_search_and_renames_working(
    library_embedding_on_demand, refusing_model
):
    app, client, bus = library_embedding_on_demand
    car = await index(bus, completed("ann", "a red sports car on a highway"))
    scan = await index(bus, completed("ann", "an unreadable scan"))
    for _ in range(2):  # the search's backfill makes the car's vector; the scan is left without, each time
        found = await listed(client, "ann", search="automobile", search_mode="semantic")
        assert [item["id"] for item in found["items"]] == [car]
    assert await stored_vectors(app.state.runtime) == {car: "ann"}

    renamed = await client.patch(f"{URL}/{car}", headers=as_user("ann"), json={"title": "An unreadable car"})
    assert renamed.status_code == 200, renamed.text
    assert await stored_vectors(app.state.runtime) == {}  # the old title's vector no longer says what it is

    by_keyword = await listed(client, "ann", search="unreadable", search_mode="semantic")
    assert by_keyword["search_mode"] == "keyword" and "could not read" in by_keyword["search_note"]
    assert {item["id"] for item in by_keyword["items"]} == {car, scan}
