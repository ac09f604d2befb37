"""The asset library through the public API: one ZIP of chosen assets, with a manifest."""

import csv
import io
import zipfile

from PIL import Image

from studio_common.testing.client import StudioClient


def test_bulk_download_zips_the_chosen_assets_with_a_manifest(user: StudioClient, other_user: StudioClient):
    op = user.wait(user.create(prompt="a lighthouse at dawn", width=160, height=96, num_variations=2))
    first, second = user.assets_of(op["operation_id"], 2)
    chosen = [second["id"], first["id"]]

    response = user.post("/api/content-assets/bulk-download", json={"asset_ids": chosen})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="image-studio-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names[-1] == "manifest.csv" and len(names) == 3
    assert names[0].startswith("001-") and names[0].endswith(".png")
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [row["asset_id"] for row in rows] == chosen and [row["file"] for row in rows] == names[:2]
    for name in names[:2]:
        assert Image.open(io.BytesIO(archive.read(name))).size == (160, 96)
    assert user.get(f"/api/content-assets/{first['id']}").json()["download_count"] == 1

    assert other_user.post("/api/content-assets/bulk-download", json={"asset_ids": chosen}).status_code == 404
    for bad in ({"asset_ids": []}, {"asset_ids": ["x"] * 101}, {}):
        refused = user.post("/api/content-assets/bulk-download", json=bad)
        assert refused.status_code == 422 and "asset_ids" in refused.text


def test_collections_group_assets_and_filter_the_library(user: StudioClient, other_user: StudioClient):
    op = user.wait(user.create(prompt="a red bicycle in the rain", width=96, height=96, num_variations=3))
    ids = [asset["id"] for asset in user.assets_of(op["operation_id"], 3)]

    created = user.post("/api/content-assets/collections", json={"name": "Bikes", "description": "Q3 launch"})
    assert created.status_code == 201, created.text
    bikes = created.json()["id"]
    added = user.post(f"/api/content-assets/collections/{bikes}/assets", json={"asset_ids": ids[:2]})
    assert added.status_code == 200 and added.json()["asset_count"] == 2

    listing = user.get("/api/content-assets", params={"collection": bikes}).json()
    assert sorted(a["id"] for a in listing["items"]) == sorted(ids[:2])
    link = "/api/" + listing["items"][0]["url"].split("/api/", 1)[1]  # signed, to show it: not a download
    shown = user.http.get(link)
    assert shown.status_code == 200 and Image.open(io.BytesIO(shown.content)).size == (96, 96)
    assert user.get(f"/api/content-assets/{ids[0]}").json()["download_count"] == 0
    assert [c["name"] for c in user.get("/api/content-assets/collections").json()["items"]] == ["Bikes"]
    assert user.post("/api/content-assets/collections", json={"name": "Bikes"}).status_code == 409

    assert other_user.get(f"/api/content-assets/collections/{bikes}").status_code == 404
    theirs = other_user.post("/api/content-assets/collections", json={"name": "Mine"}).json()["id"]
    stolen = other_user.post(f"/api/content-assets/collections/{theirs}/assets", json={"asset_ids": ids[:1]})
    assert stolen.status_code == 404 and ids[0] in stolen.json()["detail"]

    assert user.http.delete(f"/api/content-assets/collections/{bikes}").status_code == 200
    assert user.get(f"/api/content-assets/{ids[0]}").status_code == 200


def test_a_shared_board_is_public_read_only_password_protected_and_revocable(user: StudioClient, gateway):
    import httpx

    op = user.wait(user.create(prompt="a quiet harbour at night", width=80, height=80, num_variations=2))
    ids = [asset["id"] for asset in user.assets_of(op["operation_id"], 2)]
    harbour = user.post("/api/content-assets/collections", json={"name": "Harbour"}).json()["id"]
    user.post(f"/api/content-assets/collections/{harbour}/assets", json={"asset_ids": ids})

    shared = user.post(
        "/api/content-assets/boards",
        json={"collection_id": harbour, "password": "s3cret-harb", "expires_in_hours": 24},
    )
    assert shared.status_code == 201, shared.text
    board = shared.json()
    assert board["has_password"] and board["active"] and "password_hash" not in board and "token" in board
    link = board["url"].replace(board["url"].split("/api/")[0], gateway)
    visitor = httpx.Client(timeout=30)  # no account, no token
    assert visitor.get(link).status_code == 401
    assert visitor.get(link, headers={"X-Board-Password": "guess"}).status_code == 403
    seen = visitor.get(link, headers={"X-Board-Password": "s3cret-harb"})
    assert seen.status_code == 200 and seen.json()["title"] == "Harbour"
    items = seen.json()["items"]
    assert sorted(item["id"] for item in items) == sorted(ids) and "storage_key" not in items[0]
    image = visitor.get(items[0]["url"].replace(items[0]["url"].split("/api/")[0], gateway))
    assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).size == (80, 80)
    assert visitor.get(f"{gateway}/api/shared/not-a-board").status_code == 404

    [listed] = user.get("/api/content-assets/boards").json()["items"]
    assert listed["view_count"] == 1 and listed["id"] == board["id"]
    assert user.get(f"/api/content-assets/{ids[0]}").json()["share_count"] == 1
    assert user.post(f"/api/content-assets/boards/{board['id']}/revoke").json()["active"] is False
    gone = visitor.get(link, headers={"X-Board-Password": "s3cret-harb"})
    assert gone.status_code == 410 and "revoked" in gone.json()["detail"]
    missing = user.post("/api/content-assets/boards", json={"collection_id": "nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_platform_filter_finds_assets_made_at_the_platforms_sizes(user: StudioClient):
    op = user.wait(user.create(prompt="a latte with heart art", template_id="instagram-feed-square"))
    [asset] = user.assets_of(op["operation_id"], 1)
    assert (asset["width"], asset["height"]) == (1080, 1080)
    on_instagram = user.get("/api/content-assets", params={"platform": "instagram"}).json()
    assert asset["id"] in [a["id"] for a in on_instagram["items"]]
    assert user.get("/api/content-assets", params={"platform": "youtube"}).json()["total"] == 0
    unknown = user.get("/api/content-assets", params={"platform": "myspace"})
    assert unknown.status_code == 422 and "myspace" in unknown.text
