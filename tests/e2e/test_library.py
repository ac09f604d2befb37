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
