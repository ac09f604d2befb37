"""Concurrent identical uploads: each request is accepted and the content-addressed input is stored once."""

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image
from skimage import data as samples

from studio_common.testing.client import StudioClient


def test_eight_concurrent_identical_uploads_are_all_accepted_and_stored_once(
    stack, user: StudioClient, admin: StudioClient
):
    plan = admin.http.put(f"/api/billing/accounts/{user.user}/plan", json={"plan": "enterprise"})
    assert plan.status_code == 200
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(Image.fromarray(samples.chelsea()).resize((200, 150)))).save(buffer, "PNG")
    image = buffer.getvalue()

    def upload(_: int):
        return user.post(
            "/api/image-studio/upscale", data={"mode": "fast"}, files={"image": ("cat.png", image)}
        )

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(upload, range(8)))
    refused = [r.text for r in responses if r.status_code != 202]
    assert [r.status_code for r in responses] == [202] * 8, refused
    inputs = stack.data_dir / "storage" / "users" / user.user / "inputs"
    assert [p.name for p in inputs.iterdir()] == [p.name for p in inputs.glob("*.png")]
    assert len(list(inputs.iterdir())) == 1
    finals = [user.wait(r.json()["operation_id"], timeout=90) for r in responses]
    assert [op["status"] for op in finals] == ["succeeded"] * 8
