"""The asset library against real RabbitMQ and a real database: indexing once (I5, I7), search, filters,
sorting, pages, favourites, trash, usage counters, version chains, bulk download selections, collections,
and isolation between users (I6)."""

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from studio_assets.adapters.tables import asset_tags, assets
from studio_assets.entrypoints.app import create_app
from studio_assets.settings import AssetsSettings
from studio_common.events import AssetIndexed, OperationCompleted, OutputRef
from studio_common.ids import asset_id_for, new_id, utcnow
from studio_common.service_auth import ServiceTokens
from studio_common.testing.apps import running
from studio_common.testing.recorder import EventRecorder

URL = "/internal/assets"
GATEWAY_TOKENS = ServiceTokens(AssetsSettings(service_name="gateway"))


def as_user(user_id: str | None) -> dict[str, str]:
    """The gateway's service token for a call on behalf of `user_id` (None: a call for no user)."""
    return GATEWAY_TOKENS.headers("assets", ("library", "boards.open"), user_id)


def make_settings(bus_names, database_url) -> AssetsSettings:
    return AssetsSettings(
        amqp_url="amqp://guest:guest@127.0.0.1:5672/", database_url=database_url, **bus_names
    )


def completed(
    user: str,
    prompt: str = "a red fox in the snowy forest",
    kind: str = "create",
    *,
    provider: str = "local",
    model: str = "local-render",
    domain: str = "generation",
    sizes: tuple[tuple[int, int, int], ...] = ((512, 512, 1000),),
    content_type: str = "image/png",
    unit_credits: int = 1,
    source_asset_id: str | None = None,
) -> OperationCompleted:
    operation_id = new_id()
    extension = content_type.split("/")[1]
    outputs = [
        OutputRef(
            index=i,
            storage_key=f"users/{user}/operations/{operation_id}/{i}.{extension}",
            content_type=content_type,
            width=w,
            height=h,
            bytes=size,
        )
        for i, (w, h, size) in enumerate(sizes)
    ]
    return OperationCompleted(
        operation_id=operation_id,
        user_id=user,
        domain=domain,
        kind=kind,
        provider=provider,
        model=model,
        outputs=outputs,
        units_delivered=len(outputs),
        unit_credits=unit_credits,
        prompt=prompt,
        source_asset_id=source_asset_id,
    )


async def index(bus: EventRecorder, event: OperationCompleted) -> list[str]:
    """Publish the completion and wait until each of its outputs is announced as indexed."""
    await bus.publish(event)
    count = len(event.outputs)
    await bus.wait_for(lambda _: len(bus.of_type(AssetIndexed, event.operation_id)) >= count)
    return [asset_id_for(event.operation_id, output.index) for output in event.outputs]


async def listed(client, user: str, **params) -> dict:
    response = await client.get(URL, headers=as_user(user), params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def ids_of(client, user: str, **params) -> list[str]:
    return [item["id"] for item in (await listed(client, user, page_size=100, **params))["items"]]


async def test_each_output_is_indexed_exactly_once(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        prompt = "  cinematic portrait of an old sailor at golden hour, shallow depth of field"
        event = completed("alice", prompt, sizes=((1024, 768, 1500), (1024, 768, 1700)), unit_credits=3)
        first = await bus.publish(event)
        await bus.wait_for(lambda _: len(bus.of_type(AssetIndexed, event.operation_id)) == 2)
        expected = [asset_id_for(event.operation_id, 0), asset_id_for(event.operation_id, 1)]
        announced = bus.of_type(AssetIndexed, event.operation_id)
        assert sorted((a.asset_id, a.output_index, a.user_id) for a in announced) == sorted(
            [(expected[0], 0, "alice"), (expected[1], 1, "alice")]
        )

        page = await listed(client, "alice")
        assert page["total"] == 2 and (page["page"], page["page_size"]) == (1, 20)
        assert {item["id"] for item in page["items"]} == set(expected)
        asset = (await client.get(f"{URL}/{expected[1]}", headers=as_user("alice"))).json()
        fields = (
            "user_id",
            "operation_id",
            "output_index",
            "type",
            "module",
            "operation",
            "provider",
            "model",
            "title",
            "cost_credits",
            "width",
            "height",
            "bytes",
            "content_type",
            "status",
            "favourite",
            "source_asset_id",
            "version",
            "download_count",
            "share_count",
            "deleted_at",
        )
        assert {k: asset[k] for k in fields} == {
            "user_id": "alice",
            "operation_id": event.operation_id,
            "output_index": 1,
            "type": "image",
            "module": "create",
            "operation": "create",
            "provider": "local",
            "model": "local-render",
            "title": "Cinematic portrait of an old sailor at golden",
            "cost_credits": 3,
            "width": 1024,
            "height": 768,
            "bytes": 1700,
            "content_type": "image/png",
            "status": "completed",
            "favourite": False,
            "source_asset_id": None,
            "version": 1,
            "download_count": 0,
            "share_count": 0,
            "deleted_at": None,
        }
        assert asset["prompt"] == event.prompt
        assert asset["storage_key"] == f"users/alice/operations/{event.operation_id}/1.png"
        assert asset["tags"] == [
            "cinematic",
            "portrait",
            "old",
            "sailor",
            "golden",
            "hour",
            "shallow",
            "depth",
            "field",
            "create",
            "local",
        ]
        assert datetime.fromisoformat(asset["created_at"]).utcoffset() == timedelta(0)

        # The same event id again, and the same operation under a new event id (I5, I7).
        await bus.publish_envelope(first)
        replay = await bus.publish(event)
        runtime = app.state.runtime
        inbox = runtime.inbox
        for _ in range(100):
            async with runtime.sessions() as session:
                if await session.scalar(select(inbox.c.event_id).where(inbox.c.event_id == replay.id)):
                    break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the replay under a new event id was never handled")
        await index(bus, completed("alice", "a later operation"))  # queued behind both replays

        assert len(bus.of_type(AssetIndexed, event.operation_id)) == 2
        assert (await listed(client, "alice", operation_id=event.operation_id))["total"] == 2
        async with runtime.sessions() as session:
            rows = await session.scalar(
                select(func.count()).select_from(assets).where(assets.c.operation_id == event.operation_id)
            )
            tag_rows = await session.scalar(
                select(func.count()).select_from(asset_tags).where(asset_tags.c.asset_id == expected[0])
            )
        assert (rows, tag_rows) == (2, 11)


async def test_outputs_of_every_domain_are_typed_and_filed(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        [video] = await index(
            bus,
            completed(
                "vic",
                "waves rolling in",
                "transform.video",
                domain="transform",
                provider="wavespeed",
                model="wan-2.5-480p",
                content_type="video/mp4",
            ),
        )
        [model] = await index(
            bus,
            completed(
                "vic",
                "",
                "transform.3d",
                domain="transform",
                provider="stability",
                model="3d",
                content_type="model/gltf-binary",
            ),
        )
        [edit] = await index(bus, completed("vic", "", "edit.remove_background", domain="editing"))
        [social] = await index(bus, completed("vic", "", "social.optimize", domain="editing"))
        found = {item["id"]: item for item in (await listed(client, "vic"))["items"]}
        assert (found[video]["type"], found[video]["module"], found[video]["operation"]) == (
            "video",
            "transform",
            "transform.video",
        )
        assert (found[model]["type"], found[model]["module"], found[model]["title"]) == (
            "model3d",
            "transform",
            "3D model",  # no prompt: named by what was made, never "None" or "Untitled"
        )
        assert (found[edit]["type"], found[edit]["module"]) == ("image", "edit")
        assert found[social]["module"] == "social"
        assert found[edit]["tags"] == ["edit", "local"]


async def test_search_filters_sorting_and_pages(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        foxes = await index(
            bus, completed("ana", "Red fox in the snowy FOREST", sizes=((512, 512, 1000), (512, 512, 2000)))
        )
        [lighthouse] = await index(
            bus,
            completed(
                "ana",
                "blue lighthouse at dawn",
                "edit.inpaint",
                domain="editing",
                provider="stability",
                model="inpaint",
                sizes=((1024, 768, 5000),),
            ),
        )
        [video] = await index(
            bus,
            completed(
                "ana",
                "",
                "transform.video",
                domain="transform",
                provider="wavespeed",
                model="wan-2.5-480p",
                content_type="video/mp4",
                sizes=((832, 480, 90000),),
            ),
        )
        [coffee] = await index(
            bus,
            completed(
                "ana",
                "100% organic_coffee beans",
                "upscale.fast",
                domain="editing",
                sizes=((2048, 2048, 3000),),
            ),
        )
        everything = {*foxes, lighthouse, video, coffee}
        await index(bus, completed("bob", "red fox at the zoo"))  # someone else's fox

        assert set(await ids_of(client, "ana")) == everything
        # Text over prompt (any case), title and tags; an exact id; % and _ taken literally.
        assert set(await ids_of(client, "ana", search="fox")) == set(foxes)
        assert set(await ids_of(client, "ana", search="forest")) == set(foxes)
        assert await ids_of(client, "ana", search="LIGHTHOUSE") == [lighthouse]
        assert await ids_of(client, "ana", search=video) == [video]
        assert await ids_of(client, "ana", search="%") == [coffee]
        assert await ids_of(client, "ana", search="_") == [coffee]
        assert await ids_of(client, "ana", search="zoo") == []
        await client.patch(
            f"{URL}/{video}", headers=as_user("ana"), json={"title": "Launch Teaser", "tags": ["Campaign-Q3"]}
        )
        assert await ids_of(client, "ana", search="teaser") == [video]
        assert await ids_of(client, "ana", search="campaign") == [video]
        assert await ids_of(client, "ana", search="wavespeed") == []  # tags replaced by the user's own

        # Filters.
        assert await ids_of(client, "ana", type="video") == [video]
        assert await ids_of(client, "ana", module="edit") == [lighthouse]
        assert set(await ids_of(client, "ana", provider="local")) == {*foxes, coffee}
        assert set(await ids_of(client, "ana", model="local-render")) == {*foxes, coffee}
        assert await ids_of(client, "ana", model="inpaint") == [lighthouse]
        assert set(
            await ids_of(
                client,
                "ana",
                operation_id=(await listed(client, "ana", search=foxes[0]))["items"][0]["operation_id"],
            )
        ) == set(foxes)
        assert set(await ids_of(client, "ana", status="completed")) == everything
        assert await ids_of(client, "ana", status="failed") == []
        assert set(await ids_of(client, "ana", width=512, height=512)) == set(foxes)
        assert await ids_of(client, "ana", width=2048) == [coffee]
        assert await ids_of(client, "ana", tag="stability") == [lighthouse]
        assert await ids_of(client, "ana", tag="Campaign-Q3") == [video]
        now = utcnow()
        day = timedelta(days=1)
        assert (
            set(
                await ids_of(
                    client,
                    "ana",
                    date_from=(now - day).date().isoformat(),
                    date_to=(now + day).date().isoformat(),
                )
            )
            == everything
        )
        assert await ids_of(client, "ana", date_from=(now + day).date().isoformat()) == []
        assert await ids_of(client, "ana", date_to=(now - day).date().isoformat()) == []
        hour = timedelta(hours=1)
        assert set(await ids_of(client, "ana", date_from=(now - hour).isoformat())) == everything
        assert await ids_of(client, "ana", date_from=(now + hour).isoformat()) == []

        # Sorting; newest first by default, ties broken by id.
        oldest = await ids_of(client, "ana", sort="oldest")
        assert set(oldest[:2]) == set(foxes) and oldest[2:] == [lighthouse, video, coffee]
        assert await ids_of(client, "ana") == list(reversed(oldest))
        assert await ids_of(client, "ana", sort="newest") == list(reversed(oldest))
        largest = await ids_of(client, "ana", sort="largest")
        assert largest == [video, lighthouse, coffee, foxes[1], foxes[0]]
        assert await ids_of(client, "ana", sort="smallest") == list(reversed(largest))
        titles = [item["title"] for item in (await listed(client, "ana", sort="title"))["items"]]
        assert titles == [
            "100% organic_coffee beans",
            "Blue lighthouse at dawn",
            "Launch Teaser",
            "Red fox in the snowy FOREST",
            "Red fox in the snowy FOREST",
        ]

        # Pages never overlap and add up to the whole.
        pages = [await listed(client, "ana", page=n, page_size=2) for n in (1, 2, 3, 4)]
        assert [p["total"] for p in pages] == [5, 5, 5, 5]
        assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
        assert [i["id"] for p in pages for i in p["items"]] == await ids_of(client, "ana")

        # Bad queries are clear 422s.
        for params in (
            {"page_size": 0},
            {"page_size": 101},
            {"page": 0},
            {"sort": "random"},
            {"type": "gif"},
            {"date_from": "yesterday"},
            {"favourite": "perhaps"},
        ):
            response = await client.get(URL, headers=as_user("ana"), params=params)
            assert response.status_code == 422, params
        response = await client.get(URL, headers=as_user("ana"), params={"date_to": "soon"})
        assert "date_to" in response.json()["detail"]
        assert (await client.get(URL)).status_code == 401  # no service token
        assert (await client.get(URL, headers=as_user(None))).status_code == 401  # a token naming no user


async def test_favourites_titles_tags_and_usage(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        first, second = await index(bus, completed("fay", sizes=((512, 512, 10), (512, 512, 20))))
        before = (await client.get(f"{URL}/{first}", headers=as_user("fay"))).json()

        response = await client.patch(
            f"{URL}/{first}",
            headers=as_user("fay"),
            json={"favourite": True, "title": "  My fox  ", "tags": ["Winter", "winter ", "Brand   Kit"]},
        )
        assert response.status_code == 200, response.text
        asset = response.json()
        assert (asset["favourite"], asset["title"], asset["tags"]) == (
            True,
            "My fox",
            ["winter", "brand kit"],
        )
        assert datetime.fromisoformat(asset["updated_at"]) > datetime.fromisoformat(before["updated_at"])
        assert asset["created_at"] == before["created_at"]
        assert await ids_of(client, "fay", favourite="true") == [first]
        assert await ids_of(client, "fay", favourite="false") == [second]
        assert await ids_of(client, "fay", tag="brand kit") == [first]
        unfavourite = await client.patch(f"{URL}/{first}", headers=as_user("fay"), json={"favourite": False})
        assert (unfavourite.json()["favourite"], unfavourite.json()["title"]) == (False, "My fox")

        for body in (
            {"title": ""},
            {"title": "   "},
            {"title": "x" * 201},
            {"tags": [""]},
            {"colour": "red"},
            {"favourite": "maybe"},
        ):
            response = await client.patch(f"{URL}/{first}", headers=as_user("fay"), json=body)
            assert response.status_code == 422, body

        for event in ("download", "download", "share"):
            response = await client.post(
                f"{URL}/{second}/usage", headers=as_user("fay"), json={"event": event}
            )
            assert response.status_code == 200
        asset = response.json()
        assert (asset["download_count"], asset["share_count"]) == (2, 1)
        response = await client.post(f"{URL}/{second}/usage", headers=as_user("fay"), json={"event": "print"})
        assert response.status_code == 422


async def test_trash_hides_and_restore_returns(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        a, b, c = await index(bus, completed("tom", sizes=((64, 64, 1), (64, 64, 2), (64, 64, 3))))
        [other] = await index(bus, completed("una"))

        response = await client.delete(f"{URL}/{a}", headers=as_user("tom"))
        assert response.status_code == 200 and response.json()["deleted_at"] is not None
        assert set(await ids_of(client, "tom")) == {b, c}
        assert await ids_of(client, "tom", trashed="true") == [a]
        assert (await listed(client, "tom", search=a))["total"] == 0  # not in the library while trashed
        assert (await client.get(f"{URL}/{a}", headers=as_user("tom"))).json()["deleted_at"] is not None
        again = await client.delete(f"{URL}/{a}", headers=as_user("tom"))
        assert again.json()["deleted_at"] == response.json()["deleted_at"]

        restored = await client.post(f"{URL}/{a}/restore", headers=as_user("tom"))
        assert restored.status_code == 200 and restored.json()["deleted_at"] is None
        assert set(await ids_of(client, "tom")) == {a, b, c}
        assert await ids_of(client, "tom", trashed="true") == []

        response = await client.post(
            f"{URL}/bulk-delete",
            headers=as_user("tom"),
            json={"asset_ids": [a, b, b, other, "no-such-asset"]},
        )
        assert response.json() == {"deleted": 2}
        assert await ids_of(client, "tom") == [c]
        assert set(await ids_of(client, "tom", trashed="true")) == {a, b}
        assert await ids_of(client, "una") == [other]  # only the user's own
        again = await client.post(f"{URL}/bulk-delete", headers=as_user("tom"), json={"asset_ids": [a, b]})
        assert again.json() == {"deleted": 0}
        empty = await client.post(f"{URL}/bulk-delete", headers=as_user("tom"), json={"asset_ids": []})
        assert empty.status_code == 422


async def test_no_user_sees_or_changes_another_users_assets(bus_names, database_url, amqp_url):
    """I6: to user B, user A's asset does not exist: 404 everywhere, never a 403 or a leak."""
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        [mine] = await index(bus, completed("amy", "a private prototype"))
        event = completed("ben", "a lighthouse")
        await index(bus, event)

        response = await client.get(f"{URL}/{mine}", headers=as_user("ben"))
        assert response.status_code == 404
        assert response.json() == {"detail": f"asset {mine} not found"}
        assert await ids_of(client, "ben", search=mine) == []
        assert await ids_of(client, "ben", search="prototype") == []
        assert await ids_of(client, "carl") == []
        requests = [
            client.patch(
                f"{URL}/{mine}", headers=as_user("ben"), json={"favourite": True, "title": "mine now"}
            ),
            client.delete(f"{URL}/{mine}", headers=as_user("ben")),
            client.post(f"{URL}/{mine}/restore", headers=as_user("ben")),
            client.post(f"{URL}/{mine}/usage", headers=as_user("ben"), json={"event": "download"}),
            client.get(f"{URL}/{mine}/versions", headers=as_user("ben")),
        ]
        for request in requests:
            response = await request
            assert response.status_code == 404, response.request.url
            assert response.json() == {"detail": f"asset {mine} not found"}
        bulk = await client.post(f"{URL}/bulk-delete", headers=as_user("ben"), json={"asset_ids": [mine]})
        assert bulk.json() == {"deleted": 0}

        asset = (await client.get(f"{URL}/{mine}", headers=as_user("amy"))).json()
        assert (asset["favourite"], asset["title"], asset["deleted_at"], asset["download_count"]) == (
            False,
            "A private prototype",
            None,
            0,
        )


async def test_version_chain(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        [original] = await index(bus, completed("val", "a castle on a hill"))
        [edited] = await index(
            bus, completed("val", "add a dragon", "edit.inpaint", domain="editing", source_asset_id=original)
        )
        [upscaled] = await index(
            bus, completed("val", "", "upscale.fast", domain="editing", source_asset_id=edited)
        )
        [branch] = await index(
            bus, completed("val", "", "edit.remove_background", domain="editing", source_asset_id=original)
        )
        [foreign] = await index(
            bus, completed("wes", "", "edit.erase", domain="editing", source_asset_id=original)
        )
        [early] = await index(
            bus, completed("val", "", "edit.erase", domain="editing", source_asset_id="not-indexed-yet")
        )

        async def chain(asset_id: str, user: str = "val") -> list[tuple[str, int]]:
            response = await client.get(f"{URL}/{asset_id}/versions", headers=as_user(user))
            assert response.status_code == 200, response.text
            return [(item["id"], item["version"]) for item in response.json()["items"]]

        assert await chain(edited) == [(original, 1), (edited, 2), (upscaled, 3)]
        assert await chain(original) == [(original, 1), (edited, 2), (branch, 2), (upscaled, 3)]
        assert await chain(upscaled) == [(original, 1), (edited, 2), (upscaled, 3)]
        assert await chain(branch) == [(original, 1), (branch, 2)]
        assert await chain(foreign, "wes") == [(foreign, 1)]  # another user's asset is never a source
        assert await chain(early) == [(early, 1)]
        asset = (await client.get(f"{URL}/{upscaled}", headers=as_user("val"))).json()
        assert (asset["source_asset_id"], asset["version"], asset["module"]) == (edited, 3, "upscale")
        # An operation without a prompt is titled by what it did to which asset; its prompt stays empty.
        assert (asset["title"], asset["prompt"]) == ("Upscale fast of Add a dragon", "")
        early_asset = (await client.get(f"{URL}/{early}", headers=as_user("val"))).json()
        assert early_asset["title"] == "Edit erase"

        # A trashed version is left out of the chain but still links it together.
        await client.delete(f"{URL}/{edited}", headers=as_user("val"))
        assert await chain(upscaled) == [(original, 1), (upscaled, 3)]
        assert await chain(edited) == [(original, 1), (edited, 2), (upscaled, 3)]
        missing = await client.get(f"{URL}/no-such-asset/versions", headers=as_user("val"))
        assert missing.status_code == 404


async def test_bulk_download_selection_is_all_or_nothing_and_counted(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        mine = await index(bus, completed("uma", sizes=((64, 64, 400), (64, 64, 600))))
        [theirs] = await index(bus, completed("vic"))
        url = f"{URL}/bulk-download"

        uma = as_user("uma")
        chosen = await client.post(url, headers=uma, json={"asset_ids": [mine[1], mine[0], mine[1]]})
        assert chosen.status_code == 200
        assert [a["id"] for a in chosen.json()["items"]] == [mine[1], mine[0]]  # asked order, once each

        refused = await client.post(url, headers=as_user("uma"), json={"asset_ids": [mine[0], theirs]})
        assert refused.status_code == 404 and theirs in refused.json()["detail"]
        too_big = await client.post(url, headers=as_user("uma"), json={"asset_ids": mine, "max_bytes": 999})
        assert too_big.status_code == 413 and "1,000 bytes" in too_big.json()["detail"]
        await client.delete(f"{URL}/{mine[0]}", headers=as_user("uma"))
        trashed = await client.post(url, headers=as_user("uma"), json={"asset_ids": [mine[0]]})
        assert trashed.status_code == 404 and "trash" in trashed.json()["detail"]

        for asset_id in mine:  # only the answered request counted
            asset = (await client.get(f"{URL}/{asset_id}", headers=as_user("uma"))).json()
            assert asset["download_count"] == 1


COLLS = "/internal/collections"


async def test_collections_hold_the_users_own_assets(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        fox, owl, bee = await index(bus, completed("wes", sizes=((64, 64, 10),) * 3))
        [foreign] = await index(bus, completed("xia"))
        me = as_user("wes")

        spring = await client.post(COLLS, headers=me, json={"name": " Spring campaign "})
        assert spring.status_code == 201 and spring.json()["name"] == "Spring campaign"
        spring_id = spring.json()["id"]
        summer_id = (await client.post(COLLS, headers=me, json={"name": "Summer"})).json()["id"]
        duplicate = await client.post(COLLS, headers=me, json={"name": "Summer"})
        assert duplicate.status_code == 409 and "Summer" in duplicate.json()["detail"]
        assert (await client.post(COLLS, headers=as_user("xia"), json={"name": "Summer"})).status_code == 201
        assert (await client.post(COLLS, headers=me, json={"name": ""})).status_code == 422

        spring_assets, summer_assets = f"{COLLS}/{spring_id}/assets", f"{COLLS}/{summer_id}/assets"
        added = await client.post(spring_assets, headers=me, json={"asset_ids": [fox, owl, fox]})
        assert added.status_code == 200 and added.json()["asset_count"] == 2
        again = await client.post(f"{COLLS}/{spring_id}/assets", headers=me, json={"asset_ids": [owl, bee]})
        assert again.json()["asset_count"] == 3
        await client.post(f"{COLLS}/{summer_id}/assets", headers=me, json={"asset_ids": [fox]})  # in two
        refused = await client.post(summer_assets, headers=me, json={"asset_ids": [owl, foreign]})
        assert refused.status_code == 404 and foreign in refused.json()["detail"]
        summer = (await client.get(f"{COLLS}/{summer_id}", headers=me)).json()
        assert summer["asset_count"] == 1  # owl not added

        in_spring = await listed(client, "wes", collection=spring_id)
        assert {a["id"] for a in in_spring["items"]} == {fox, owl, bee} and in_spring["total"] == 3
        assert {a["id"] for a in (await listed(client, "wes", collection=summer_id))["items"]} == {fox}
        assert (await listed(client, "xia", collection=spring_id))["total"] == 0

        assert (await client.get(f"{COLLS}/{spring_id}", headers=as_user("xia"))).status_code == 404
        assert (await client.delete(f"{COLLS}/{spring_id}", headers=as_user("xia"))).status_code == 404
        removed = await client.delete(f"{COLLS}/{spring_id}/assets/{owl}", headers=me)
        assert removed.json()["asset_count"] == 2
        await client.delete(f"{URL}/{bee}", headers=me)  # trashed assets are not counted or listed
        assert (await client.get(f"{COLLS}/{spring_id}", headers=me)).json()["asset_count"] == 1

        renamed = await client.patch(f"{COLLS}/{summer_id}", headers=me, json={"name": "Summer 2027"})
        assert renamed.json()["name"] == "Summer 2027"
        listing = (await client.get(COLLS, headers=me)).json()
        assert listing["total"] == 2 and listing["items"][0]["id"] == summer_id  # most recently changed first

        assert (await client.delete(f"{COLLS}/{spring_id}", headers=me)).status_code == 200
        assert (await client.get(f"{URL}/{fox}", headers=me)).status_code == 200  # the asset stays
        assert (await client.get(f"{COLLS}/{spring_id}", headers=me)).status_code == 404


async def test_a_board_shows_its_collection_until_the_collection_goes(bus_names, database_url, amqp_url):
    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        kept, trashed = await index(bus, completed("yan", sizes=((32, 32, 10),) * 2))
        me = as_user("yan")
        collection = (await client.post(COLLS, headers=me, json={"name": "Board"})).json()["id"]
        await client.post(f"{COLLS}/{collection}/assets", headers=me, json={"asset_ids": [kept, trashed]})
        board = (await client.post("/internal/boards", headers=me, json={"collection_id": collection})).json()
        assert board["title"] == "Board" and not board["has_password"] and board["expires_at"] is None
        await client.delete(f"{URL}/{trashed}", headers=me)

        opened = await client.post(
            "/internal/boards/open", headers=as_user(None), json={"token": board["token"]}
        )
        assert [item["id"] for item in opened.json()["items"]] == [kept]
        other = await client.post(
            "/internal/boards", headers=as_user("zed"), json={"collection_id": collection}
        )
        assert other.status_code == 404  # only the owner can share a collection

        await client.delete(f"{COLLS}/{collection}", headers=me)
        assert (
            await client.post("/internal/boards/open", headers=as_user(None), json={"token": board["token"]})
        ).status_code == 404
        assert (await client.get("/internal/boards", headers=me)).json()["total"] == 0


async def test_guessing_a_boards_password_locks_it(bus_names, database_url, amqp_url):
    from studio_assets.domain.boards import MAX_FAILED_ATTEMPTS

    app = create_app(make_settings(bus_names, database_url))
    async with running(app) as client:
        me = as_user("ana")
        collection = (await client.post(COLLS, headers=me, json={"name": "Locked"})).json()["id"]
        board = (
            await client.post(
                "/internal/boards", headers=me, json={"collection_id": collection, "password": "right-one-8"}
            )
        ).json()

        async def visit(password):
            return (
                await client.post(
                    "/internal/boards/open",
                    headers=as_user(None),
                    json={"token": board["token"], "password": password},
                )
            ).status_code

        for _ in range(MAX_FAILED_ATTEMPTS - 1):
            assert await visit("wrong") == 403
        assert await visit("right-one-8") == 200  # counted wrong tries are forgiven by a right one
        for _ in range(MAX_FAILED_ATTEMPTS - 1):
            assert await visit("wrong") == 403
        assert await visit("wrong") == 403  # the one that locks it (the counts were committed)
        assert await visit("right-one-8") == 429
