"""The Stability adapter over real HTTP against the local fake Stability server."""

import io
import json
import struct
import time

import httpx
import pytest
from PIL import Image

from studio_common.catalog import PROVIDERS_BY_NAME
from studio_providers.base import ProviderError, ProviderRequest
from studio_providers.http import RetryPolicy, send_with_retries
from studio_providers.stability import StabilityProvider
from studio_providers.stability_models import nearest_aspect_ratio
from studio_providers.testing.fake_stability import create_fake_stability, size_for_ratio
from studio_providers.testing.server import RecordedSleep, serve_in_thread

KEY = "sk-test-0123456789abcdef"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def fake():
    app = create_fake_stability(api_key=KEY, pending_polls=2, other_keys=("sk-other",))
    base_url, stop = serve_in_thread(app)
    yield app, base_url
    stop()


@pytest.fixture(autouse=True)
def clean_log(fake):
    fake[0].state.reset()


@pytest.fixture
async def make(fake):
    """Builds providers against the fake; a scenario rides on the client's default headers."""
    clients: list[httpx.AsyncClient] = []

    def build(scenario: str | None = None, key: str = KEY, **options) -> StabilityProvider:
        client = httpx.AsyncClient(headers={"x-fake-scenario": scenario} if scenario else None, timeout=30)
        clients.append(client)
        options.setdefault("poll_interval", 0.01)
        options.setdefault("retry_policy", FAST)
        return StabilityProvider(key, fake[1], client=client, **options)

    yield build
    for client in clients:
        await client.aclose()


def log(fake) -> list[dict]:
    return list(fake[0].state.requests)


def image_bytes(width: int, height: int, color=(200, 60, 40), fmt: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def decoded_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


# -- generate -----------------------------------------------------------------------------------------------


async def test_generate_ultra_sends_multipart_text_fields_and_maps_size_to_aspect_ratio(fake, make):
    provider = make()
    output = await provider.run(
        ProviderRequest(
            kind="create",
            model="ultra",
            prompt="a lighthouse at dusk",
            negative_prompt="fog",
            width=1920,
            height=1080,
            seed=42,
            output_format="webp",
            params={"style_preset": "cinematic"},
        )
    )

    assert output.content_type == "image/webp"
    assert (output.width, output.height) == size_for_ratio("16:9", 1) == decoded_size(output.data)
    assert output.seed == 42
    [entry] = log(fake)
    assert entry["method"] == "POST" and entry["path"] == "/v2beta/stable-image/generate/ultra"
    assert entry["fields"] == {
        "prompt": "a lighthouse at dusk",
        "negative_prompt": "fog",
        "aspect_ratio": "16:9",
        "style_preset": "cinematic",
        "seed": "42",
        "output_format": "webp",
    }
    assert entry["files"] == {}
    headers = entry["headers"]
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert headers["accept"] == "image/*"
    assert headers["stability-client-id"] == "image-studio"
    assert "authorization" not in headers and KEY not in json.dumps(entry)


async def test_generate_ultra_image_to_image_sends_explicit_zero_strength_and_file_part(fake, make):
    source = image_bytes(320, 240)
    await make().run(
        ProviderRequest(
            kind="create",
            model="ultra",
            prompt="repaint",
            seed=7,
            inputs={"image": source},
            params={"strength": 0.0, "aspect_ratio": "3:2"},
        )
    )

    [entry] = log(fake)
    assert entry["fields"]["strength"] == "0.0"
    assert entry["fields"]["aspect_ratio"] == "3:2"  # given explicitly, not derived
    assert entry["files"] == {
        "image": {"filename": "image.png", "size": len(source), "content_type": "image/png"}
    }


async def test_generate_core_uses_nearest_aspect_ratio_and_no_model_field(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="create", model="core", prompt="poster", width=800, height=1200, output_format="jpeg"
        )
    )

    assert output.content_type == "image/jpeg"
    assert (output.width, output.height) == size_for_ratio("2:3", 1.5)
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/stable-image/generate/core"
    assert entry["fields"] == {
        "prompt": "poster",
        "aspect_ratio": "2:3",
        "seed": "0",
        "output_format": "jpeg",
    }
    assert output.seed and output.seed > 0  # the server picked a seed and reported it


async def test_generate_sd3_sends_model_and_mode_and_falls_back_to_png_for_webp(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="create",
            model="sd3.5-large-turbo",
            prompt="a fox",
            width=1024,
            height=1024,
            seed=3,
            output_format="webp",
            params={"cfg_scale": 1.0},
        )
    )

    assert output.content_type == "image/png" and (output.width, output.height) == (1024, 1024)
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/stable-image/generate/sd3"
    assert entry["fields"] == {
        "prompt": "a fox",
        "model": "sd3.5-large-turbo",
        "mode": "text-to-image",
        "cfg_scale": "1.0",
        "aspect_ratio": "1:1",
        "seed": "3",
        "output_format": "png",
    }


@pytest.mark.parametrize(
    ("width", "height", "ratio"),
    [
        (1024, 1024, "1:1"),
        (1920, 1080, "16:9"),
        (1080, 1920, "9:16"),
        (2560, 1080, "21:9"),
        (1080, 2560, "9:21"),
        (1500, 1000, "3:2"),
        (1000, 1500, "2:3"),
        (1250, 1000, "5:4"),
        (1000, 1250, "4:5"),
        (1100, 1000, "1:1"),
    ],
)
def test_nearest_aspect_ratio_for_stability(width, height, ratio):
    assert nearest_aspect_ratio(width, height) == ratio


def test_stability_supports_every_catalog_offer_and_nothing_else():
    provider = StabilityProvider("sk-x")
    for offer in PROVIDERS_BY_NAME["stability"].models:
        for kind in offer.kinds:
            assert provider.supports(kind, offer.model), (kind, offer.model)
    assert not provider.supports("create", "local-render")
    assert not provider.supports("edit.inpaint", "erase")
    assert not provider.supports("transform.video", "3d")
    assert "sk-x" not in repr(provider)


# -- edit / upscale / 3D ------------------------------------------------------------------------------------


async def test_inpaint_sends_image_and_mask_as_files(fake, make):
    source = image_bytes(256, 192)
    mask = image_bytes(256, 192, color=255, mode="L")
    output = await make().run(
        ProviderRequest(
            kind="edit.inpaint",
            model="inpaint",
            prompt="a red balloon",
            seed=5,
            inputs={"image": source, "mask": mask},
            params={"grow_mask": 0, "style_preset": "photographic"},
        )
    )

    assert (output.width, output.height) == (256, 192) and output.content_type == "image/png"
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/stable-image/edit/inpaint"
    assert set(entry["files"]) == {"image", "mask"}
    assert entry["files"]["mask"]["size"] == len(mask)
    assert entry["fields"] == {
        "prompt": "a red balloon",
        "grow_mask": "0",
        "style_preset": "photographic",
        "seed": "5",
        "output_format": "png",
    }


async def test_outpaint_grows_the_canvas_and_sends_explicit_zeros(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="edit.outpaint",
            model="outpaint",
            seed=9,
            inputs={"image": image_bytes(200, 100)},
            params={"left": 50, "right": 0, "up": 10, "creativity": 0.0},
        )
    )

    assert (output.width, output.height) == (250, 110)
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/stable-image/edit/outpaint"
    assert entry["fields"] == {
        "left": "50",
        "right": "0",
        "up": "10",
        "creativity": "0.0",
        "seed": "9",
        "output_format": "png",
    }


async def test_upscale_fast_returns_four_times_the_input(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="upscale.fast",
            model="fast",
            prompt="ignored",
            inputs={"image": image_bytes(64, 48, fmt="JPEG")},
            output_format="jpeg",
        )
    )

    assert (output.width, output.height) == (256, 192) == decoded_size(output.data)
    assert output.content_type == "image/jpeg"
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/stable-image/upscale/fast"
    assert entry["fields"] == {"output_format": "jpeg"}
    assert entry["files"]["image"]["content_type"] == "image/jpeg"


async def test_creative_upscale_submits_then_polls_until_done(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="upscale.creative",
            model="creative",
            prompt="crisp detail",
            seed=11,
            inputs={"image": image_bytes(64, 64)},
            params={"creativity": 0.3},
        )
    )

    assert (output.width, output.height) == (2048, 2048) and output.seed == 11
    submit, *polls = log(fake)
    assert submit["path"] == "/v2beta/stable-image/upscale/creative"
    assert submit["fields"] == {
        "prompt": "crisp detail",
        "creativity": "0.3",
        "seed": "11",
        "output_format": "png",
    }
    assert [p["status"] for p in polls] == [202, 202, 200]
    generation_id = polls[0]["path"].rsplit("/", 1)[1]
    assert len(generation_id) == 64
    assert all(p["method"] == "GET" and p["path"] == f"/v2beta/results/{generation_id}" for p in polls)
    assert all("authorization" not in p["headers"] and p["headers"]["accept"] == "*/*" for p in polls)


async def test_relight_is_async_and_sends_subject_image_and_light_fields(fake, make):
    subject = image_bytes(300, 200)
    output = await make("pending:4").run(
        ProviderRequest(
            kind="edit.relight",
            model="relight",
            prompt="a sunny beach",
            seed=21,
            inputs={"image": subject},
            params={
                "light_source_direction": "left",
                "light_source_strength": 0.0,
                "keep_original_background": False,
                "preserve_original_subject": None,
            },
        )
    )

    assert (output.width, output.height) == (300, 200)
    submit, *polls = log(fake)
    assert submit["path"] == "/v2beta/stable-image/edit/replace-background-and-relight"
    assert set(submit["files"]) == {"subject_image"}
    assert submit["fields"] == {
        "background_prompt": "a sunny beach",
        "keep_original_background": "false",
        "light_source_direction": "left",
        "light_source_strength": "0.0",
        "seed": "21",
        "output_format": "png",
    }
    assert [p["status"] for p in polls] == [202] * 4 + [200]


async def test_stable_fast_3d_returns_a_valid_glb(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="transform.3d",
            model="3d",
            inputs={"image": image_bytes(128, 128)},
            params={
                "texture_resolution": "512",
                "remesh": "quad",
                "vertex_count": -1,
                "foreground_ratio": 0.85,
            },
        )
    )

    assert output.content_type == "model/gltf-binary" and output.width is None
    data = output.data
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_length, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON"
    document = json.loads(data[20 : 20 + json_length])
    assert document["asset"]["version"] == "2.0"
    bin_length, bin_type = struct.unpack_from("<I4s", data, 20 + json_length)
    assert bin_type == b"BIN\0" and bin_length >= document["buffers"][0]["byteLength"]
    [entry] = log(fake)
    assert entry["path"] == "/v2beta/3d/stable-fast-3d"
    assert entry["headers"]["accept"] == "model/gltf-binary"
    assert entry["fields"] == {
        "texture_resolution": "512",
        "foreground_ratio": "0.85",
        "remesh": "quad",
        "vertex_count": "-1",
    }


# -- failures -----------------------------------------------------------------------------------------------


async def test_content_filtered_output_is_a_charged_non_retryable_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("filtered").run(ProviderRequest(kind="create", model="core", prompt="x"))
    error = caught.value
    assert (error.code, error.charged, error.retryable) == ("content_filtered", True, False)


async def test_input_moderation_403_is_not_charged_nor_retried(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("moderation").run(ProviderRequest(kind="create", model="core", prompt="x"))
    error = caught.value
    assert (error.code, error.charged, error.retryable) == ("content_moderation", False, False)
    assert error.status == 403
    assert "content moderation" in error.message
    assert len(log(fake)) == 1


async def test_bad_key_is_an_auth_error_that_allows_fallback_and_hides_the_key(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make(key="sk-wrong-secret").run(ProviderRequest(kind="create", model="core", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("auth", True, 401)
    assert "sk-wrong-secret" not in str(error) and "sk-wrong-secret" not in error.message
    assert len(log(fake)) == 1


async def test_400_surfaces_the_field_errors(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="edit.inpaint",
                model="inpaint",
                prompt="x",
                inputs={"image": image_bytes(128, 128)},
                params={"grow_mask": 150},
            )
        )
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("invalid_request", False, 400)
    assert "grow_mask: must be between 0 and 100" in error.message

    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="edit.outpaint",
                model="outpaint",
                inputs={"image": image_bytes(128, 128)},
                params={"left": 0},
            )
        )
    assert "at least one must be greater than 0" in caught.value.message


async def test_oversized_request_is_too_large(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="upscale.fast",
                model="fast",
                inputs={"image": b"\x89PNG\r\n\x1a\n" + bytes(11 * 1024 * 1024)},
            )
        )
    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("too_large", 413, False)


async def test_429_is_retried_honouring_retry_after_then_succeeds(fake, make):
    # A back-off of several seconds would be used if Retry-After: 0 were ignored.
    waits = RecordedSleep()
    provider = make(
        "ratelimit:2", retry_policy=RetryPolicy(attempts=4, base_delay=4.0, max_delay=8.0, sleep=waits)
    )
    output = await provider.run(ProviderRequest(kind="create", model="core", prompt="x", seed=1))

    assert waits.delays == [0.0, 0.0]
    assert output.seed == 1
    assert [e["status"] for e in log(fake)] == [429, 429, 200]


async def test_persistent_500_is_a_retryable_error_after_all_attempts(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("error500", retry_policy=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)).run(
            ProviderRequest(kind="create", model="core", prompt="x")
        )
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_error", True, 500)
    assert [e["status"] for e in log(fake)] == [500, 500, 500]


async def test_persistent_429_is_rate_limited_and_retryable(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("ratelimit").run(ProviderRequest(kind="create", model="core", prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.status) == ("rate_limited", True, 429)
    assert len(log(fake)) == FAST.attempts


async def test_a_poll_that_never_finishes_times_out(fake, make):
    provider = make("never", poll_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await provider.run(
            ProviderRequest(
                kind="upscale.creative", model="creative", prompt="x", inputs={"image": image_bytes(64, 64)}
            )
        )
    assert caught.value.code == "timeout" and caught.value.retryable
    assert time.monotonic() - started < 5
    polls = [e for e in log(fake) if e["method"] == "GET"]
    assert len(polls) >= 3 and all(p["status"] == 202 for p in polls)


# -- the fake itself ----------------------------------------------------------------------------------------


async def test_fake_stability_json_mode_results_and_key_scoping(fake):
    base_url = fake[1]
    auth = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.post(
            "/v2beta/stable-image/generate/core",
            headers={**auth, "accept": "application/json"},
            files={"prompt": (None, "json please"), "seed": (None, "5")},
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json; type=image/png")
        assert "finish-reason" not in answer.headers
        body = answer.json()
        assert body["finish_reason"] == "SUCCESS" and body["seed"] == 5 and body["image"]

        not_multipart = await client.post(
            "/v2beta/stable-image/generate/core", headers=auth, data={"prompt": "urlencoded"}
        )
        assert not_multipart.status_code == 400 and not_multipart.json()["name"] == "bad_request"

        submitted = await client.post(
            "/v2beta/stable-image/upscale/creative",
            headers=auth,
            files={"image": ("i.png", image_bytes(64, 64), "image/png"), "prompt": (None, "p")},
        )
        generation_id = submitted.json()["id"]
        other = await client.get(
            f"/v2beta/results/{generation_id}", headers={"authorization": "Bearer sk-other"}
        )
        assert other.status_code == 404
        unknown = await client.get("/v2beta/results/" + "0" * 64, headers=auth)
        assert unknown.status_code == 404 and set(unknown.json()) == {"id", "name", "errors"}
        legacy = f"/v2beta/stable-image/upscale/creative/result/{generation_id}"
        statuses = [
            (await client.get(legacy, headers={**auth, "accept": "application/json"})).status_code
            for _ in range(3)
        ]
        assert statuses == [202, 202, 200]


# -- the shared retry helper --------------------------------------------------------------------------------


async def test_stability_http_helper_does_not_repeat_a_post_that_may_have_arrived():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ProviderError) as caught:
            await send_with_retries(
                client, "POST", "http://stability.test/x", policy=FAST, idempotent=False, statuses_safe=True
            )
        assert caught.value.code == "timeout" and caught.value.charged and len(calls) == 1

        calls.clear()
        with pytest.raises(ProviderError):
            await send_with_retries(client, "GET", "http://stability.test/x", policy=FAST, idempotent=True)
        assert len(calls) == FAST.attempts


async def test_stability_http_helper_repeats_connect_errors_and_only_safe_statuses():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(502)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        response = await send_with_retries(
            client, "POST", "http://stability.test/x", policy=FAST, idempotent=False
        )
        # The connect error is retried; the 502 is not, because the POST was not declared safe to repeat.
        assert response.status_code == 502 and len(calls) == 2
