"""Protections that held in the review, kept by regression tests: other users' resources are 404 on
every route; signed download links resist tampering and traversal; image bombs are refused before
decoding; outputs carry no EXIF; the API never fetches a URL it is given; search text is a bound
parameter, never SQL."""

import io
import struct
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PIL import Image

from studio_common.images import ImageRejected, check_image
from studio_common.settings import DEFAULT_DOWNLOAD_URL_SECRET
from studio_common.storage import _sign
from studio_common.testing.client import StudioClient


def test_every_resource_of_another_user_is_404(user: StudioClient, other_user: StudioClient):
    op = user.wait(user.create(prompt="private work", width=64, height=64))
    [asset] = user.assets_of(op["operation_id"], 1)
    collection = user.post("/api/content-assets/collections", json={"name": "Mine"}).json()["id"]
    board = user.post("/api/content-assets/boards", json={"collection_id": collection}).json()["id"]
    persona = user.post("/api/image-studio/personas", json={"name": "Mine"}).json()["id"]
    requests = [
        ("GET", f"/api/image-studio/operations/{op['operation_id']}"),
        ("POST", f"/api/image-studio/operations/{op['operation_id']}/cancel"),
        ("GET", f"/api/content-assets/{asset['id']}"),
        ("GET", f"/api/content-assets/{asset['id']}/download"),
        ("GET", f"/api/content-assets/{asset['id']}/versions"),
        ("DELETE", f"/api/content-assets/{asset['id']}"),
        ("POST", f"/api/content-assets/{asset['id']}/restore"),
        ("GET", f"/api/content-assets/collections/{collection}"),
        ("DELETE", f"/api/content-assets/collections/{collection}"),
        ("POST", f"/api/content-assets/boards/{board}/revoke"),
        ("GET", f"/api/image-studio/personas/{persona}"),
        ("DELETE", f"/api/image-studio/personas/{persona}"),
    ]
    for method, path in requests:
        assert other_user.http.request(method, path).status_code == 404, (method, path)
    bulk = other_user.post("/api/content-assets/bulk-download", json={"asset_ids": [asset["id"]]})
    assert bulk.status_code == 404
    refused = other_user.post(
        "/api/image-studio/upscale", data={"mode": "fast", "image_asset_id": asset["id"]}
    )
    assert refused.status_code == 422 and "not one of your assets" in refused.json()["message"]
    assert user.get(f"/api/content-assets/{asset['id']}").status_code == 200


def test_signed_links_resist_tampering_and_traversal(user: StudioClient, gateway):
    op = user.wait(user.create(prompt="a signed file", width=64, height=64))
    url = user.get(f"/api/content-assets/{op['outputs'][0]['asset_id']}/download").json()["url"]
    parsed = httpx.URL(url)
    key, expires = parsed.path.removeprefix("/api/files/"), int(parsed.params["expires"])
    assert httpx.get(url).status_code == 200
    other_key = key.replace(user.user, "someone-else")
    signature = parsed.params["signature"]
    forged = {
        "other key": f"{gateway}/api/files/{other_key}?expires={expires}&signature={signature}",
        "later expiry": url.replace(f"expires={expires}", f"expires={expires + 3600}"),
    }
    for what, link in forged.items():
        assert httpx.get(link).status_code == 403, what
    for traversal in ("users/../../../etc/passwd", "../secrets.txt", "users/%2e%2e/%2e%2e/etc/passwd"):
        expires = int(time.time()) + 60
        signature = _sign(DEFAULT_DOWNLOAD_URL_SECRET, traversal, expires)
        answer = httpx.get(f"{gateway}/api/files/{traversal}?expires={expires}&signature={signature}")
        assert answer.status_code in (403, 404) and b"root:" not in answer.content, traversal


def _bomb_png(side: int = 100_000) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


def test_image_bombs_are_refused_before_decoding():
    tracemalloc.start()
    try:
        with pytest.raises(ImageRejected, match="pixels"):
            check_image(_bomb_png(), "image")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_outputs_carry_no_exif(user: StudioClient):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model-with-location"  # Model
    source = io.BytesIO()
    Image.new("RGB", (96, 64), (90, 120, 150)).save(source, "JPEG", exif=exif)
    assert b"SecretCam" in source.getvalue()
    response = user.post(
        "/api/image-studio/upscale", data={"mode": "fast"}, files={"image": ("photo.jpg", source.getvalue())}
    )
    assert response.status_code == 202, response.text
    op = user.wait(response.json()["operation_id"])
    output = httpx.get(op["outputs"][0]["url"]).content
    assert b"SecretCam" not in output and not dict(Image.open(io.BytesIO(output)).getexif())


@pytest.fixture
def watched_server():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_the_api_never_fetches_a_url_it_is_given(user: StudioClient, watched_server):
    base, hits = watched_server
    url = f"{base}/photo.png"
    answers = [
        user.post("/api/image-studio/upscale", data={"mode": "fast", "image": url}),
        user.post("/api/image-studio/upscale", data={"mode": "fast", "image_url": url}),
        user.post("/api/image-studio/create", json={"prompt": "x", "image_url": url}),
        user.post("/api/image-studio/edit/process", data={"operation": "erase", "image_asset_id": url}),
    ]
    assert all(400 <= answer.status_code < 500 for answer in answers), [a.text for a in answers]
    time.sleep(0.5)
    assert hits == []


def test_search_text_is_never_sql(user: StudioClient):
    op = user.wait(user.create(prompt="a bound parameter", width=64, height=64))
    [asset] = user.assets_of(op["operation_id"], 1)
    for payload in ("' OR '1'='1", "x'); DROP TABLE assets; --", "%' UNION SELECT * FROM share_boards --"):
        found = user.get("/api/content-assets", params={"search": payload})
        assert found.status_code == 200 and found.json()["total"] == 0, payload
    assert user.get("/api/content-assets", params={"search": "bound parameter"}).json()["total"] == 1
    assert user.get(f"/api/content-assets/{asset['id']}").status_code == 200
