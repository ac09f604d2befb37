"""Edit, Upscale, Control and Transform end to end through the public API, asserting what each output
must be (not just that something came back)."""

import io
import struct
import wave

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from studio_common.testing.client import StudioClient


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.asarray(Image.fromarray(samples.coffee()).resize((320, 240)))


def mask_png(width: int, height: int, box: tuple[int, int, int, int]) -> bytes:
    mask = np.zeros((height, width), np.uint8)
    x0, y0, x1, y1 = box
    mask[y0:y1, x0:x1] = 255
    return png(mask)


def tone_wav(seconds: float, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    samples_ = (np.sin(2 * np.pi * 220 * t) * 12000 * (t % 1 < 0.5)).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples_.tobytes())
    return buffer.getvalue()


def submit(user: StudioClient, path: str, fields: dict, files: dict) -> httpx.Response:
    return user.post(
        f"/api/image-studio/{path}",
        data={k: str(v) for k, v in fields.items()},
        files={k: (f"{k}.bin", v) for k, v in files.items()},
    )


def run(user: StudioClient, path: str, fields: dict, files: dict, timeout: float = 90) -> tuple[dict, bytes]:
    response = submit(user, path, fields, files)
    assert response.status_code == 202, response.text
    op = user.wait(response.json()["operation_id"], timeout=timeout)
    assert op["status"] == "succeeded", op
    return op, httpx.get(op["outputs"][0]["url"]).content


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_remove_background_has_transparent_corners(user: StudioClient, photo):
    op, data = run(user, "edit/process", {"operation": "remove_background"}, {"image": png(photo)})
    image = decode(data)
    assert image.mode == "RGBA" and image.size == (320, 240)
    alpha = np.asarray(image)[..., 3]
    assert max(alpha[0, 0], alpha[0, -1], alpha[-1, 0], alpha[-1, -1]) < 10
    assert alpha[120, 160] > 200
    assert op["cost"]["charged_credits"] == 1 and op["kind"] == "edit.remove_background"


def test_inpaint_changes_only_the_masked_region(user: StudioClient, photo):
    box = (120, 80, 200, 160)
    _, data = run(
        user,
        "edit/process",
        {"operation": "inpaint", "prompt": "smooth wooden table", "grow_mask": 0},
        {"image": png(photo), "mask": mask_png(320, 240, box)},
    )
    result = np.asarray(decode(data).convert("RGB")).astype(int)
    outside = np.ones((240, 320), bool)
    outside[80:160, 120:200] = False
    assert np.array_equal(result[outside], photo.astype(int)[outside])
    assert np.abs(result[80:160, 120:200] - photo[80:160, 120:200]).mean() > 3


def test_erase_fills_only_the_grown_mask(user: StudioClient, photo):
    _, data = run(
        user,
        "edit/process",
        {"operation": "erase", "grow_mask": 0},
        {"image": png(photo), "mask": mask_png(320, 240, (20, 20, 60, 60))},
    )
    result = np.asarray(decode(data).convert("RGB"))
    assert np.array_equal(result[100:, 100:], photo[100:, 100:])
    assert not np.array_equal(result[20:60, 20:60], photo[20:60, 20:60])


def test_outpaint_grows_the_canvas_exactly(user: StudioClient, photo):
    _, data = run(
        user,
        "edit/process",
        {"operation": "outpaint", "left": 40, "right": 0, "up": 16, "down": 8},
        {"image": png(photo)},
    )
    image = decode(data)
    assert image.size == (320 + 40, 240 + 16 + 8)
    assert np.array_equal(np.asarray(image.convert("RGB"))[16:256, 40:360], photo)


def test_recolor_with_mask_and_honest_refusals(user: StudioClient, photo):
    _, data = run(
        user,
        "edit/process",
        {"operation": "search_recolor", "prompt": "blue", "select_prompt": "cup"},
        {"image": png(photo), "mask": mask_png(320, 240, (100, 60, 220, 180))},
    )
    region = np.asarray(decode(data).convert("RGB")).astype(int)[60:180, 100:220]
    assert region[..., 2].mean() > region[..., 0].mean()
    no_mask = submit(
        user,
        "edit/process",
        {"operation": "search_recolor", "prompt": "blue", "select_prompt": "cup"},
        {"image": png(photo)},
    )
    assert no_mask.status_code == 422 and "stability" in no_mask.json()["message"]
    replace = submit(
        user,
        "edit/process",
        {"operation": "search_replace", "prompt": "a teapot", "search_prompt": "cup"},
        {"image": png(photo)},
    )
    assert replace.status_code == 422 and "stability" in replace.json()["message"]
    assert user.balance()["pending_credits"] == 0


def test_general_edit_does_what_it_can_and_refuses_the_rest(user: StudioClient, photo):
    _, data = run(
        user,
        "edit/process",
        {"operation": "general_edit", "prompt": "make it much brighter"},
        {"image": png(photo)},
    )
    assert (
        np.asarray(decode(data).convert("L")).mean()
        > np.asarray(Image.fromarray(photo).convert("L")).mean() + 5
    )
    refused = submit(
        user,
        "edit/process",
        {"operation": "general_edit", "prompt": "add a hat on the cup"},
        {"image": png(photo)},
    )
    assert refused.status_code == 422 and "stability" in refused.json()["message"]


def test_relight_onto_a_background_reference(user: StudioClient, photo):
    background = png(np.asarray(Image.fromarray(samples.astronaut()).resize((200, 200))))
    _, data = run(
        user,
        "edit/process",
        {"operation": "relight", "light_source_direction": "left", "light_source_strength": 0.0},
        {"image": png(photo), "background_reference": background},
    )
    assert decode(data).size == (320, 240)


def test_relight_in_place_from_the_described_light(user: StudioClient, photo):
    fields = {"operation": "relight", "background_prompt": "warm sunset light", "light_source_strength": 0.8}
    _, data = run(user, "edit/process", fields, {"image": png(photo)})
    relit = np.asarray(decode(data).convert("RGB")).astype(float)
    assert relit.shape == photo.shape
    warmth = relit[..., 0].mean() - relit[..., 2].mean()
    assert warmth > photo[..., 0].astype(float).mean() - photo[..., 2].astype(float).mean() + 10
    nothing = submit(user, "edit/process", {"operation": "relight"}, {"image": png(photo)})
    assert nothing.status_code == 422 and "light_source_direction" in nothing.json()["message"]
    assert "background_reference" in nothing.json()["message"]


def test_upscale_fast_is_exactly_four_times(user: StudioClient, photo):
    op, data = run(user, "upscale", {"mode": "fast"}, {"image": png(photo)})
    assert decode(data).size == (1280, 960) and op["kind"] == "upscale.fast"
    _, social = run(user, "upscale", {"mode": "auto", "preset": "social"}, {"image": png(photo)})
    assert max(decode(social).size) == 1080


def test_control_operations_keep_layout_and_accept_zero_strength(user: StudioClient, photo):
    _, data = run(
        user,
        "control/process",
        {"operation": "structure", "prompt": "a neon city", "control_strength": 0.0},
        {"image": png(photo)},
    )
    assert decode(data).size == (320, 240)
    style = png(np.asarray(Image.fromarray(samples.astronaut()).resize((128, 128))))
    op, data = run(
        user, "control/process", {"operation": "style_transfer"}, {"image": png(photo), "style_image": style}
    )
    assert decode(data).size == (320, 240) and op["kind"] == "control.style_transfer"


def test_sketch_and_style_reference(user: StudioClient):
    sketch = np.full((200, 300), 255, np.uint8)
    sketch[50:150, 80:82] = 0
    sketch[98:100, 80:220] = 0
    op, data = run(
        user,
        "control/process",
        {"operation": "sketch", "prompt": "a red barn", "control_strength": 1.0},
        {"image": png(np.dstack([sketch] * 3))},
    )
    assert decode(data).size == (300, 200) and op["kind"] == "control.sketch"
    style = png(np.asarray(Image.fromarray(samples.chelsea()).resize((160, 120))))
    _, data = run(
        user,
        "control/process",
        {"operation": "style", "prompt": "a city park", "aspect_ratio": "16:9"},
        {"image": style},
    )
    width, height = decode(data).size
    assert abs(width / height - 16 / 9) < 0.05


def test_edit_an_asset_from_the_library_records_its_source(user: StudioClient, other_user: StudioClient):
    created = user.wait(user.create(prompt="a red balloon", width=256, height=256))
    asset_id = created["outputs"][0]["asset_id"]
    user.assets_of(created["operation_id"], 1)
    op, data = run(
        user,
        "edit/process",
        {"operation": "general_edit", "prompt": "black and white", "image_asset_id": asset_id},
        {},
    )
    pixels = np.asarray(decode(data).convert("RGB")).astype(int)
    assert np.abs(pixels[..., 0] - pixels[..., 1]).max() <= 1
    assert op["source_asset_id"] == asset_id
    [edited] = user.assets_of(op["operation_id"], 1)
    assert edited["source_asset_id"] == asset_id and edited["version"] == 2
    foreign = submit(
        other_user,
        "edit/process",
        {"operation": "general_edit", "prompt": "brighter", "image_asset_id": asset_id},
        {},
    )
    assert foreign.status_code == 422 and "image_asset_id" in foreign.json()["message"]


def probe(data: bytes):
    from studio_providers.local.media import probe as probe_media

    return probe_media(data, ".mp4")


def test_image_to_video_with_audio(user: StudioClient, photo):
    op, data = run(
        user,
        "transform/image-to-video",
        {"resolution": "480p", "duration": 5, "motion": "zoom_in"},
        {"image": png(photo), "audio": tone_wav(4.0)},
        timeout=120,
    )
    info = probe(data)
    assert (info.width, info.height, info.video_codec) == (854, 480, "h264")
    assert abs(info.duration - 5.0) <= 0.1 and abs(info.fps - 24) < 0.01 and info.has_audio
    assert op["cost"]["charged_credits"] == 5 and op["outputs"][0]["duration_seconds"] == pytest.approx(
        5, abs=0.1
    )


def test_talking_avatar_lasts_as_long_as_the_speech(user: StudioClient):
    face = png(np.asarray(Image.fromarray(samples.astronaut()).resize((256, 256))))
    op, data = run(
        user,
        "transform/talking-avatar",
        {"resolution": "480p"},
        {"image": face, "audio": tone_wav(2.5)},
        timeout=120,
    )
    info = probe(data)
    assert abs(info.duration - 2.5) <= 0.1 and info.has_audio
    assert op["cost"]["charged_credits"] == 3  # 2.5 s billed as 3 seconds


def test_image_to_3d_is_a_glb(user: StudioClient, photo):
    _, data = run(user, "transform/image-to-3d", {"texture_resolution": 512}, {"image": png(photo)})
    magic, version, length = struct.unpack("<4sII", data[:12])
    assert (magic, version, length) == (b"glTF", 2, len(data))


def bomb_png() -> bytes:
    """A valid PNG header claiming 100000 x 100000 pixels."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("path", "fields", "files", "field"),
    [
        (
            "edit/process",
            {"operation": "inpaint", "prompt": "x"},
            {"image": "photo", "mask": "small-mask"},
            "mask",
        ),
        (
            "edit/process",
            {"operation": "inpaint", "prompt": "x"},
            {"image": "photo", "mask": "colour-mask"},
            "mask",
        ),
        (
            "edit/process",
            {"operation": "inpaint", "prompt": "x"},
            {"image": "photo", "mask": "empty-mask"},
            "mask",
        ),
        ("edit/process", {"operation": "inpaint", "prompt": "x"}, {"image": "photo"}, "mask"),
        ("edit/process", {"operation": "erase"}, {"image": "corrupt"}, "image"),
        ("edit/process", {"operation": "erase"}, {"image": "bomb", "mask": "small-mask"}, "image"),
        ("edit/process", {"operation": "erase"}, {"image": "svg", "mask": "small-mask"}, "image"),
        (
            "edit/process",
            {"operation": "outpaint", "left": 0, "right": 0, "up": 0, "down": 0},
            {"image": "photo"},
            "left",
        ),
        ("edit/process", {"operation": "nope"}, {"image": "photo"}, "operation"),
        (
            "edit/process",
            {"operation": "outpaint", "left": 2000, "right": 2000},
            {"image": "big"},
            "limit is 4096 pixels a side",
        ),
        (
            "edit/process",
            {"operation": "outpaint", "left": 10, "creativity": 1.5},
            {"image": "photo"},
            "creativity",
        ),
        (
            "control/process",
            {"operation": "sketch", "prompt": "x", "control_strength": -0.1},
            {"image": "photo"},
            "control_strength",
        ),
        ("transform/image-to-video", {"duration": 7}, {"image": "photo"}, "duration"),
        ("transform/image-to-video", {}, {"image": "photo", "audio": "not-audio"}, "audio"),
        ("transform/talking-avatar", {}, {"image": "photo"}, "audio"),
        ("upscale", {"mode": "fast"}, {"image": "big"}, "image"),
    ],
)
def test_bad_studio_input_is_a_named_4xx_and_reserves_nothing(
    user: StudioClient, photo, path, fields, files, field
):
    payloads = {
        "photo": png(photo),
        "small-mask": mask_png(100, 100, (10, 10, 50, 50)),
        "colour-mask": png(
            np.dstack(
                [
                    np.full((240, 320), 255, np.uint8),
                    np.zeros((240, 320), np.uint8),
                    np.zeros((240, 320), np.uint8),
                ]
            )
        ),
        "empty-mask": png(np.zeros((240, 320), np.uint8)),
        "corrupt": b"\x89PNG\r\n\x1a\nthis is not a png",
        "bomb": bomb_png(),
        "svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "not-audio": b"RIFF1234junk" * 10,
        "big": png(np.zeros((1100, 1100, 3), np.uint8)),
    }
    response = submit(user, path, fields, {k: payloads[v] for k, v in files.items()})
    assert 400 <= response.status_code < 500, response.text
    assert field in response.json()["message"], response.json()
    assert user.balance()["pending_credits"] == 0
    assert user.get("/api/image-studio/operations").json()["total"] == 0


def test_operation_catalogues_list_fields_limits_and_prices(user: StudioClient):
    edits = {
        item["operation"]: item for item in user.get("/api/image-studio/edit/operations").json()["items"]
    }
    assert set(edits) == {
        "remove_background",
        "inpaint",
        "erase",
        "outpaint",
        "search_replace",
        "search_recolor",
        "relight",
        "general_edit",
    }
    assert edits["inpaint"]["fields"]["grow_mask"]["maximum"] == 100
    assert any(
        p["provider"] == "stability" and p["credits_per_unit"] == 5 for p in edits["inpaint"]["prices"]
    )
    controls = user.get("/api/image-studio/control/operations").json()["items"]
    assert {c["operation"] for c in controls} == {"sketch", "structure", "style", "style_transfer"}


def test_social_optimizer_all_twenty_formats_and_zip(user: StudioClient):
    import zipfile

    from studio_common.social_formats import FORMATS

    canvas = np.full((1000, 3000, 3), 200, np.uint8)
    canvas[200:712, 300:812] = samples.astronaut()  # a face well left of centre
    platforms = "instagram,facebook,twitter,linkedin,youtube,pinterest,tiktok"
    response = submit(
        user, "social/optimize", {"platforms": platforms, "crop_mode": "smart"}, {"image": png(canvas)}
    )
    assert response.status_code == 202, response.text
    op = user.wait(response.json()["operation_id"], timeout=120)
    assert op["status"] == "succeeded", op
    assert len(op["outputs"]) == len(FORMATS) + 1 == 21
    expected = {(f.width, f.height): f for f in FORMATS}
    for output in op["outputs"][:-1]:
        data = httpx.get(output["url"]).content
        image = decode(data)
        assert image.size == (output["width"], output["height"]) and image.size in expected
        assert len(data) <= expected[image.size].max_bytes
    story = next(o for o in op["outputs"] if (o["width"], o["height"]) == (1080, 1920))
    from studio_editing.domain.social.focal import find_focal_point

    focal = find_focal_point(np.asarray(decode(httpx.get(story["url"]).content).convert("RGB")))
    assert focal.source == "face", "the face placed off-centre must survive the 9:16 smart crop"
    bundle = zipfile.ZipFile(io.BytesIO(httpx.get(op["outputs"][-1]["url"]).content))
    assert len(bundle.namelist()) == 20
    assert op["cost"]["charged_credits"] == 1
    user.assets_of(op["operation_id"], 21)

    platforms_list = user.get("/api/image-studio/social/platforms").json()["items"]
    assert len(platforms_list) == 7 and sum(len(p["formats"]) for p in platforms_list) == 20
    assert user.get("/api/image-studio/social/platforms/myspace/formats").status_code == 404
    bad = submit(user, "social/optimize", {"formats": "instagram.nope"}, {"image": png(canvas)})
    assert bad.status_code == 422 and "formats" in bad.json()["message"]


def test_estimates_for_studio_operations(user: StudioClient):
    video = user.post(
        "/api/image-studio/transform/estimate-cost", json={"operation": "image-to-video", "duration": 10}
    ).json()
    assert video["estimated_credits"] == 10 * video["credits_per_unit"] and video["unit"] == "second"
    # One duration rule: what the operation list advertises is what the estimate prices and the request takes.
    [listed] = [
        o
        for o in user.get("/api/image-studio/transform/operations").json()["items"]
        if o["operation"] == "image-to-video"
    ]
    assert listed["fields"]["duration"]["enum"] == [5, 10]
    odd = user.post(
        "/api/image-studio/transform/estimate-cost", json={"operation": "image-to-video", "duration": 3}
    )
    assert odd.status_code == 422 and "duration" in odd.text and "5, 10" in odd.text, odd.text
    speech = user.post(
        "/api/image-studio/transform/estimate-cost", json={"operation": "talking-avatar", "duration": 3}
    )
    assert (
        speech.status_code == 200
        and speech.json()["estimated_credits"] == 3 * speech.json()["credits_per_unit"]
    )
    inpaint = user.post("/api/image-studio/estimate-cost", json={"kind": "edit.inpaint"}).json()
    assert inpaint["estimated_credits"] == inpaint["credits_per_unit"] and inpaint["covered"] is True
    unknown = user.post("/api/image-studio/estimate-cost", json={"kind": "edit.teleport"})
    assert unknown.status_code == 422 and "provider" in unknown.json()["message"]
    # whether the offline provider can do a prompt-based edit depends on the prompt: the fields are priced too
    vague = user.post("/api/image-studio/estimate-cost", json={"kind": "edit.general"})
    assert vague.status_code == 422 and "prompt must describe the edit" in vague.json()["message"]
    brighter = user.post(
        "/api/image-studio/estimate-cost",
        json={"kind": "edit.general", "params": {"prompt": "brighter and warmer"}, "roles": ["image"]},
    )
    assert brighter.status_code == 200 and brighter.json()["provider"] == "local", brighter.text
