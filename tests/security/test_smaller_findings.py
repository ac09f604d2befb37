"""Finding 8 (the smaller ones) through the public API: ids in form fields, trashed inputs, the bulk
download's manifest, nosniff, opaque board file links, board tokens."""

import csv
import io
import zipfile

import httpx
import pytest
from PIL import Image

from studio_assets.domain.boards import new_token
from studio_common.testing.client import StudioClient
from studio_gateway.service_layer.archive import manifest


def png(width: int = 64, height: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def one_asset(user: StudioClient, prompt: str = "a red kite") -> dict:
    op = user.wait(user.create(prompt=prompt, width=64, height=64))
    [asset] = user.assets_of(op["operation_id"], 1)
    return asset


@pytest.mark.parametrize("asset_id", ["abc\r\nX-Injected: 1", "../collections", "a/b", "-x", "a" * 200])
def test_an_asset_id_field_outside_the_id_pattern_is_a_named_422(user: StudioClient, asset_id):
    response = user.post("/api/image-studio/upscale", data={"mode": "fast", "image_asset_id": asset_id})
    assert response.status_code == 422, response.text
    assert "image_asset_id" in response.json()["message"]
    assert user.balance()["pending_credits"] == 0


def test_a_trashed_asset_is_refused_as_an_input(user: StudioClient):
    asset = one_asset(user)
    assert user.http.delete(f"/api/content-assets/{asset['id']}").status_code == 200
    response = user.post("/api/image-studio/upscale", data={"mode": "fast", "image_asset_id": asset["id"]})
    assert response.status_code == 422 and "trash" in response.json()["message"]
    assert user.get("/api/image-studio/operations").json()["total"] == 1  # only the create


def test_manifest_cells_cannot_run_or_hide_anything():
    rows = [
        {
            "file": "001-x.png",
            "asset_id": "a1",
            "title": '=HYPERLINK("https://evil.test","open")',
            "prompt": "+cmd|' /C calc'!A0",
            "tags": "@SUM(1)\x00; \u202egpj.exe",
            "model": "\uff1d1+1",
        }
    ]
    [row] = list(csv.DictReader(io.StringIO(manifest(rows).decode())))
    assert row["title"].startswith("'=") and row["prompt"].startswith("'+") and row["tags"].startswith("'@")
    assert row["model"].startswith("'")
    text = manifest(rows).decode()
    assert "\x00" not in text and "\u202e" not in text


def test_bulk_download_manifest_escapes_a_formula_title(user: StudioClient):
    asset = one_asset(user)
    user.http.patch(f"/api/content-assets/{asset['id']}", json={"title": '=HYPERLINK("https://evil.test")'})
    response = user.post("/api/content-assets/bulk-download", json={"asset_ids": [asset["id"]]})
    assert response.status_code == 200
    [row] = list(
        csv.DictReader(
            io.StringIO(zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.csv").decode())
        )
    )
    assert row["title"] == '\'=HYPERLINK("https://evil.test")'


def test_downloads_and_api_answers_say_nosniff(user: StudioClient):
    asset = one_asset(user)
    url = user.get(f"/api/content-assets/{asset['id']}/download").json()["url"]
    download = httpx.get(url)
    assert download.status_code == 200 and download.headers["x-content-type-options"] == "nosniff"
    assert user.get("/api/billing/balance").headers["x-content-type-options"] == "nosniff"
    assert user.post("/api/image-studio/create", json={}).headers["x-content-type-options"] == "nosniff"


def test_board_visitors_see_opaque_file_links(user: StudioClient, gateway):
    op = user.wait(user.create(prompt="a shared harbour", width=64, height=64))
    [asset] = user.assets_of(op["operation_id"], 1)
    collection = user.post("/api/content-assets/collections", json={"name": "Shared"}).json()["id"]
    user.post(f"/api/content-assets/collections/{collection}/assets", json={"asset_ids": [asset["id"]]})
    board = user.post("/api/content-assets/boards", json={"collection_id": collection}).json()
    seen = httpx.get(f"{gateway}/api/shared/{board['token']}")
    [item] = seen.json()["items"]
    assert user.user not in item["url"] and op["operation_id"] not in item["url"]
    assert user.user not in seen.text and op["operation_id"] not in seen.text
    image = httpx.get(item["url"])
    assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).size == (64, 64)
    assert image.headers["x-content-type-options"] == "nosniff"
    reference = item["url"].rsplit("/", 1)[1]
    tampered = reference[:-2] + ("A" if reference[-2] != "A" else "B") + reference[-1]
    assert httpx.get(item["url"].replace(reference, tampered)).status_code == 403


def test_board_tokens_never_start_with_a_dash_or_underscore():
    assert all(new_token()[0].isalnum() for _ in range(3000))


@pytest.mark.parametrize(
    "token", ["-older-token-ABCDEFGHIJKLMNOPQRSTU", "_older-token-ABCDEFGHIJKLMNOPQRSTU"]
)
def test_links_with_older_tokens_still_reach_their_board(gateway, token):
    assert httpx.get(f"{gateway}/api/shared/{token}").status_code == 404  # looked up, not refused as 422
