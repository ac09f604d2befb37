"""The shipped models end to end through the public API: subject cut-outs, faces, content tags, search by
meaning and near-duplicates, on real photographs."""

import io
import wave

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from studio_common.testing.client import StudioClient

OFF_CENTRE = np.ascontiguousarray(samples.astronaut()[:, 100:])  # 412x512, she stands left of centre


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def speech(seconds: float = 1.5, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.sin(2 * np.pi * 220 * t) * 12000).astype(np.int16).tobytes())
    return buffer.getvalue()


def run(user: StudioClient, path: str, fields: dict, files: dict) -> dict:
    response = user.post(
        f"/api/image-studio/{path}", data=fields, files={k: (f"{k}.png", v) for k, v in files.items()}
    )
    assert response.status_code == 202, response.text
    op = user.wait(response.json()["operation_id"], timeout=120)
    assert op["status"] == "succeeded", op
    return op


def test_remove_background_cuts_out_the_person_and_the_library_describes_it(user: StudioClient):
    op = run(user, "edit/process", {"operation": "remove_background"}, {"image": png(OFF_CENTRE)})
    with Image.open(io.BytesIO(httpx.get(op["outputs"][0]["url"]).content)) as image:
        alpha = np.asarray(image)[..., 3]
    assert (alpha[85:160, 88:165] > 127).mean() > 0.97 and (alpha[215:330, 45:195] > 127).mean() > 0.97
    assert alpha[:24, :24].max() < 20 and alpha[:24, -24:].max() < 20
    [asset] = user.assets_of(op["operation_id"], 1)
    assert asset["methods"]["segmentation"] == "selfie+u2netp"
    assert {"person", "1 face", "transparent background", "vertical"} <= set(asset["tags"])
    tagged = user.get("/api/content-assets", params={"tag": "transparent background"}).json()
    assert [item["id"] for item in tagged["items"]] == [asset["id"]]


def test_an_upscaled_portrait_is_tagged_person_and_stacks_with_its_twin(user: StudioClient):
    portrait = png(np.asarray(Image.fromarray(samples.astronaut()).resize((256, 256))))
    first = run(user, "upscale", {"mode": "fast"}, {"image": portrait})
    second = run(user, "upscale", {"mode": "fast"}, {"image": portrait})
    [asset] = user.assets_of(first["operation_id"], 1)
    [twin] = user.assets_of(second["operation_id"], 1)
    assert {"person", "portrait"} <= set(asset["tags"])
    similar = user.get(f"/api/content-assets/{asset['id']}/similar").json()
    assert [(item["id"], item["distance"]) for item in similar["items"]] == [(twin["id"], 0)]


def test_search_by_meaning_finds_the_car_for_automobile(user: StudioClient):
    car = user.create(prompt="a red sports car on a highway", width=256, height=256)
    ramen = user.create(prompt="a bowl of ramen", width=256, height=256)
    car_asset = user.assets_of(car, 1)[0]["id"]
    ramen_asset = user.assets_of(ramen, 1)[0]["id"]
    found = user.get("/api/content-assets", params={"search": "automobile"}).json()
    ids = [item["id"] for item in found["items"]]
    assert found["search_mode"] == "hybrid" and ids[0] == car_asset
    assert ramen_asset not in ids or ids.index(ramen_asset) > ids.index(car_asset)
    keyword = user.get(
        "/api/content-assets", params={"search": "automobile", "search_mode": "keyword"}
    ).json()
    assert keyword["total"] == 0
    bad = user.get("/api/content-assets", params={"search": "car", "search_mode": "telepathic"})
    assert bad.status_code == 422 and "search_mode" in bad.text


def test_a_talking_avatar_of_a_faceless_image_fails_naming_the_face_and_charges_nothing(user: StudioClient):
    """Finding a face takes a vision model, which runs in the transform worker, not in the public API: the
    operation fails there before its hold is claimed or a provider is paid, and the credits come back."""
    response = user.post(
        "/api/image-studio/transform/talking-avatar",
        data={"resolution": "480p"},
        files={"image": ("image.png", png(samples.coffee())), "audio": ("a.wav", speech())},
    )
    assert response.status_code == 202, response.text
    op = user.wait(response.json()["operation_id"])
    assert (op["status"], op["error"]["code"]) == ("failed", "invalid_request"), op
    assert "face" in op["error"]["message"]
    assert op["cost"]["charged_credits"] == 0
    assert user.wait_no_pending()["pending_credits"] == 0


@pytest.mark.parametrize("select_prompt", ["the background"])
def test_recolour_the_background_without_a_mask(user: StudioClient, select_prompt):
    op = run(
        user,
        "edit/process",
        {"operation": "search_recolor", "prompt": "blue", "select_prompt": select_prompt},
        {"image": png(OFF_CENTRE)},
    )
    with Image.open(io.BytesIO(httpx.get(op["outputs"][0]["url"]).content)) as image:
        out = np.asarray(image.convert("RGB")).astype(int)
    corner = out[:40, :40]
    assert corner[..., 2].mean() > corner[..., 0].mean() + 20  # the wall behind her is blue now
    assert np.abs(out[85:160, 88:165] - OFF_CENTRE[85:160, 88:165]).mean() < 3  # her face is untouched


def test_workers_report_their_model_files_as_ready(stack):
    for worker in ("generation", "editing", "transform"):
        ready = httpx.get(f"{stack.url(worker)}/readyz")
        checks = ready.json()["checks"]
        assert ready.status_code == 200 and checks["model:blazeface"] == checks["model:u2netp"] == "ok", (
            checks
        )
    assert "model:u2netp" not in httpx.get(f"{stack.url('billing')}/readyz").json()["checks"]
