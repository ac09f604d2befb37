"""The WaveSpeed adapter over real HTTP against the local fake WaveSpeed server."""

import base64
import io
import math
import time
import wave

import httpx
import numpy as np
import pytest
from PIL import Image

from studio_common.catalog import PROVIDERS_BY_NAME
from studio_providers.base import ProviderError, ProviderRequest
from studio_providers.http import RetryPolicy
from studio_providers.local import media
from studio_providers.testing.fake_wavespeed import create_fake_wavespeed
from studio_providers.testing.server import serve_in_thread
from studio_providers.wavespeed import WaveSpeedProvider
from studio_providers.wavespeed_models import decode_base64_output, nearest_ideogram_aspect_ratio, qwen_size

KEY = "ws-test-0123456789abcdef"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def fake():
    app = create_fake_wavespeed(api_key=KEY, processing_polls=2)
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

    def build(scenario: str | None = None, key: str = KEY, **options) -> WaveSpeedProvider:
        client = httpx.AsyncClient(headers={"x-fake-scenario": scenario} if scenario else None, timeout=60)
        clients.append(client)
        options.setdefault("poll_interval", 0.01)
        options.setdefault("retry_policy", FAST)
        return WaveSpeedProvider(key, fake[1], client=client, **options)

    yield build
    for client in clients:
        await client.aclose()


def log(fake, kind: str | None = None) -> list[dict]:
    return [e for e in fake[0].state.requests if kind is None or e["kind"] == kind]


def image_bytes(width: int, height: int, color=(200, 60, 40), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def speech_wav(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    samples = 0.4 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) * 32767
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def decoded(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size


def data_uri_bytes(uri: str, mime: str) -> bytes:
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix), uri[:40]
    return base64.b64decode(uri[len(prefix) :])


# -- stills -------------------------------------------------------------------------------------------------


async def test_qwen_image_sends_size_string_seed_and_format_and_takes_base64_output(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="create",
            model="qwen-image",
            prompt="a paper crane",
            width=1344,
            height=768,
            seed=1234,
            output_format="webp",
        )
    )

    assert output.content_type == "image/webp" and output.seed == 1234
    assert (output.width, output.height) == (1344, 768) == decoded(output.data)[1]
    submit, *polls = log(fake)
    assert submit["method"] == "POST" and submit["path"] == "/api/v3/wavespeed-ai/qwen-image/text-to-image"
    assert submit["headers"]["content-type"] == "application/json" and submit["authorized"]
    assert submit["body"] == {
        "prompt": "a paper crane",
        "size": "1344*768",
        "seed": 1234,
        "output_format": "webp",
        "enable_base64_output": True,
    }
    # Base64 output: the answer carries the image, nothing is downloaded.
    assert log(fake, "download") == []
    assert all(p["kind"] == "poll" and p["method"] == "GET" for p in polls)


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [
        (1024, 1024, "1024*1024"),
        (3072, 1536, "1536*768"),
        (100, 200, "256*512"),
        (4000, 100, "1536*256"),
        (None, None, "1024*1024"),
        (1536, 256, "1536*256"),
    ],
)
def test_qwen_size_keeps_each_side_within_256_to_1536(width, height, size):
    assert qwen_size(width, height) == size


async def test_qwen_output_format_outside_its_set_asks_for_png(fake, make):
    output = await make().run(
        ProviderRequest(kind="create", model="qwen-image", prompt="x", output_format="gif")
    )
    assert output.content_type == "image/png" and decoded(output.data) == ("PNG", (1024, 1024))
    assert log(fake, "submit")[0]["body"]["output_format"] == "png"


async def test_ideogram_maps_the_size_to_its_nearest_aspect_ratio_with_auto_style(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="create",
            model="ideogram-v3-balanced",
            prompt="a poster that says HELLO",
            width=1920,
            height=1080,
            seed=5,
        )
    )

    assert output.content_type == "image/png" and output.seed is None  # Ideogram takes no seed
    assert abs(output.width / output.height - 16 / 9) < 0.02
    [submit] = log(fake, "submit")
    assert submit["path"] == "/api/v3/ideogram-ai/ideogram-v3-balanced"
    assert submit["body"] == {
        "prompt": "a poster that says HELLO",
        "aspect_ratio": "16:9",
        "style": "Auto",
        "enable_base64_output": True,
    }


@pytest.mark.parametrize(
    ("width", "height", "ratio"),
    [
        (1024, 1024, "1:1"),
        (1920, 1080, "16:9"),
        (1080, 1920, "9:16"),
        (1600, 1200, "4:3"),
        (1200, 1600, "3:4"),
        (3000, 1000, "16:9"),
        (1100, 1000, "1:1"),
        (1400, 1000, "4:3"),
    ],
)
def test_nearest_ideogram_aspect_ratio(width, height, ratio):
    assert nearest_ideogram_aspect_ratio(width, height) == ratio


async def test_ideogram_speeds_use_their_own_paths_and_an_explicit_style(fake, make):
    provider = make("processing:0")
    await provider.run(
        ProviderRequest(
            kind="create",
            model="ideogram-v3-turbo",
            prompt="x",
            params={"style": "Design", "aspect_ratio": "3:4"},
        )
    )
    await provider.run(ProviderRequest(kind="create", model="ideogram-v3-quality", prompt="x"))
    first, second = log(fake, "submit")
    assert first["path"] == "/api/v3/ideogram-ai/ideogram-v3-turbo"
    assert (first["body"]["style"], first["body"]["aspect_ratio"]) == ("Design", "3:4")
    assert second["path"] == "/api/v3/ideogram-ai/ideogram-v3-quality"
    assert (second["body"]["style"], second["body"]["aspect_ratio"]) == ("Auto", "1:1")


def test_wavespeed_supports_every_catalog_offer_and_nothing_else():
    provider = WaveSpeedProvider("ws-secret-key")
    for offer in PROVIDERS_BY_NAME["wavespeed"].models:
        for kind in offer.kinds:
            assert provider.supports(kind, offer.model), (kind, offer.model)
    assert not provider.supports("transform.video", "qwen-image")
    assert not provider.supports("create", "wan-2.5-720p")
    assert not provider.supports("transform.avatar", "infinitetalk-1080p")
    assert not provider.supports("create", "ultra")
    assert "ws-secret-key" not in repr(provider)


# -- the task life cycle ------------------------------------------------------------------------------------


async def test_polls_walk_created_processing_completed_on_the_result_path(fake, make):
    provider = make("processing:4")
    await provider.run(ProviderRequest(kind="create", model="qwen-image", prompt="x", seed=1))

    submit, *polls = log(fake)
    assert submit["task_status"] == "created"
    assert [p["task_status"] for p in polls] == ["created"] + ["processing"] * 3 + ["completed"]
    task_id = polls[0]["path"].split("/")[4]
    assert all(p["path"] == f"/api/v3/predictions/{task_id}/result" and p["authorized"] for p in polls)


async def test_video_output_comes_as_a_url_downloaded_without_the_key(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="transform.video",
            model="wan-2.5-480p",
            prompt="waves",
            inputs={"image": image_bytes(320, 180)},
            params={"duration": 5},
        )
    )

    assert output.content_type == "video/mp4"
    submit = log(fake, "submit")[0]
    assert "enable_base64_output" not in submit["body"]
    [download] = log(fake, "download")
    assert download["path"].startswith("/fake-outputs/") and download["path"].endswith(".mp4")
    assert not download["authorized"]  # the key never goes to the output host
    assert download["status"] == 200


def test_decode_base64_output_takes_bare_base64_and_data_uris():
    png = image_bytes(8, 8)
    encoded = base64.b64encode(png).decode()
    assert decode_base64_output(encoded) == png
    assert decode_base64_output("data:image/png;base64," + encoded) == png
    with pytest.raises(ValueError):
        decode_base64_output("not base64 at all!")
    with pytest.raises(ValueError):
        decode_base64_output("data:image/png," + encoded)


# -- failures -----------------------------------------------------------------------------------------------


async def test_a_failed_task_is_retryable_and_not_charged_with_the_task_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("failed").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.charged) == ("provider_failed", True, False)
    assert "Inference failed" in error.message
    assert log(fake, "poll")[-1]["task_status"] == "failed"


async def test_a_cancelled_task_is_a_retryable_uncharged_failure(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("cancelled").run(ProviderRequest(kind="create", model="ideogram-v3-turbo", prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.charged) == (
        "provider_failed",
        True,
        False,
    )
    assert "cancelled" in caught.value.message


async def test_nsfw_output_is_a_charged_content_filter_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("nsfw").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.charged) == ("content_filtered", False, True)


async def test_bad_key_is_an_auth_error_that_allows_fallback_and_hides_the_key(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make(key="ws-wrong-secret").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("auth", True, 401)
    assert "ws-wrong-secret" not in str(error) and "ws-wrong-secret" not in error.message
    assert [e["status"] for e in log(fake)] == [401]


async def test_a_missing_required_field_is_an_invalid_request(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make().run(ProviderRequest(kind="create", model="qwen-image", prompt=""))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("invalid_request", False, 400)
    assert "prompt: is required" in error.message
    assert len(log(fake)) == 1


async def test_submit_500_is_never_re_posted(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("submit500").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_error", True, 500)
    submits = [e for e in log(fake) if e["method"] == "POST"]
    assert len(submits) == 1 and submits[0]["status"] == 500
    assert log(fake, "poll") == []


async def test_poll_500_is_retried_and_the_task_still_completes(fake, make):
    output = await make("poll500:2").run(
        ProviderRequest(kind="create", model="qwen-image", prompt="x", seed=3)
    )

    assert output.seed == 3 and decoded(output.data)[1] == (1024, 1024)
    polls = log(fake, "poll")
    assert [p["status"] for p in polls[:3]] == [500, 500, 200]
    assert polls[-1]["task_status"] == "completed"
    assert len(log(fake, "submit")) == 1


async def test_persistent_poll_500_is_a_retryable_charged_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("poll500").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.charged, error.status) == ("provider_error", True, True, 500)
    assert len(log(fake, "poll")) == FAST.attempts and len(log(fake, "submit")) == 1


async def test_a_429_on_submit_is_retried_since_nothing_was_created(fake, make):
    output = await make("ratelimit:2").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    assert output.content_type == "image/png"
    assert [e["status"] for e in log(fake, "submit")] == [429, 429, 200]


async def test_persistent_429_is_rate_limited_and_retryable(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("ratelimit").run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.status) == ("rate_limited", True, 429)
    assert len(log(fake, "submit")) == FAST.attempts


async def test_a_task_that_never_finishes_times_out(fake, make):
    provider = make("never_finishes", poll_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await provider.run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.charged) == ("timeout", True, True)
    assert time.monotonic() - started < 5
    polls = log(fake, "poll")
    assert len(polls) >= 3 and all(p["task_status"] in ("created", "processing") for p in polls)


async def test_default_scenario_applies_without_headers(fake, make):
    fake[0].state.default_scenario = "failed"
    with pytest.raises(ProviderError) as caught:
        await make().run(ProviderRequest(kind="create", model="qwen-image", prompt="x"))
    assert caught.value.code == "provider_failed"


# -- video and avatar ---------------------------------------------------------------------------------------


async def test_wan_image_to_video_sends_data_uris_and_returns_an_h264_mp4(fake, make):
    source = image_bytes(640, 360)
    audio = speech_wav(3.0)
    output = await make().run(
        ProviderRequest(
            kind="transform.video",
            model="wan-2.5-720p",
            prompt="the camera drifts",
            negative_prompt="blur",
            seed=77,
            inputs={"image": source, "audio": audio},
            params={"duration": 5, "resolution": "720p", "enable_prompt_expansion": True},
        )
    )

    assert output.content_type == "video/mp4"
    assert (output.width, output.height, output.duration_seconds, output.seed) == (1280, 720, 5.0, 77)
    info = media.probe(output.data)
    assert info.video_codec == "h264" and (info.width, info.height) == (1280, 720)
    assert info.duration is not None and abs(info.duration - 5.0) < 0.3
    [submit] = log(fake, "submit")
    assert submit["path"] == "/api/v3/alibaba/wan-2.5/image-to-video"
    body = submit["body"]
    assert data_uri_bytes(body.pop("image"), "image/png") == source
    assert data_uri_bytes(body.pop("audio"), "audio/wav") == audio
    assert body == {
        "prompt": "the camera drifts",
        "negative_prompt": "blur",
        "resolution": "720p",
        "duration": 5,
        "enable_prompt_expansion": True,
        "seed": 77,
    }


async def test_wan_resolution_follows_the_model_and_jpeg_input_keeps_its_type(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="transform.video",
            model="wan-2.5-480p",
            prompt="",
            inputs={"image": image_bytes(64, 64, fmt="JPEG")},
            params={"duration": 3, "resolution": "1080p"},
        )
    )

    info = media.probe(output.data)
    assert (info.width, info.height) == (854, 480) == (output.width, output.height)
    assert output.duration_seconds == 3.0
    body = log(fake, "submit")[0]["body"]
    assert body["resolution"] == "480p" and body["duration"] == 3 and body["enable_prompt_expansion"] is False
    assert body["prompt"].startswith("slow camera push-in")  # WAN requires a prompt: the move is described
    assert body["image"].startswith("data:image/jpeg;base64,") and "audio" not in body


async def test_infinitetalk_sends_image_and_audio_and_lasts_as_long_as_the_speech(fake, make):
    portrait = image_bytes(256, 320)
    speech = speech_wav(3.0)
    output = await make().run(
        ProviderRequest(
            kind="transform.avatar",
            model="infinitetalk-480p",
            prompt="a calm presenter",
            seed=9,
            inputs={"image": portrait, "audio": speech},
        )
    )

    assert output.content_type == "video/mp4"
    assert (output.width, output.height) == (854, 480)
    assert output.duration_seconds == pytest.approx(3.0, abs=0.01)
    info = media.probe(output.data)
    assert info.video_codec == "h264" and (info.width, info.height) == (854, 480)
    assert info.duration is not None and math.isclose(info.duration, 3.0, abs_tol=0.3)
    [submit] = log(fake, "submit")
    assert submit["path"] == "/api/v3/wavespeed-ai/infinitetalk"
    body = submit["body"]
    assert data_uri_bytes(body.pop("image"), "image/png") == portrait
    assert data_uri_bytes(body.pop("audio"), "audio/wav") == speech
    assert body == {"prompt": "a calm presenter", "resolution": "480p", "seed": 9}


async def test_infinitetalk_without_audio_is_refused_before_anything_is_sent(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="transform.avatar", model="infinitetalk-720p", inputs={"image": image_bytes(64, 64)}
            )
        )
    assert (caught.value.code, caught.value.retryable) == ("invalid_request", False)
    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="transform.avatar",
                model="infinitetalk-720p",
                inputs={"image": image_bytes(64, 64), "audio": b"not audio"},
            )
        )
    assert caught.value.code == "invalid_request"
    assert log(fake) == []


# -- the fake itself ----------------------------------------------------------------------------------------


async def test_fake_wavespeed_paths_errors_and_url_outputs(fake):
    base_url = fake[1]
    auth = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base_url) as client:
        unknown_model = await client.post("/api/v3/nobody/no-model", headers=auth, json={"prompt": "x"})
        assert unknown_model.status_code == 404

        no_key = await client.post("/api/v3/wavespeed-ai/qwen-image/text-to-image", json={"prompt": "x"})
        assert no_key.status_code == 401 and set(no_key.json()) == {"code", "message"}

        missing = await client.post(
            "/api/v3/alibaba/wan-2.5/image-to-video", headers=auth, json={"prompt": "x"}
        )
        assert missing.status_code == 400 and "image: is required" in missing.json()["message"]

        bad_size = await client.post(
            "/api/v3/wavespeed-ai/qwen-image/text-to-image",
            headers=auth,
            json={"prompt": "x", "size": "2048*1024"},
        )
        assert bad_size.status_code == 400 and "size" in bad_size.json()["message"]

        submitted = await client.post(
            "/api/v3/wavespeed-ai/qwen-image/text-to-image",
            headers=auth,
            json={"prompt": "x", "size": "512*256", "output_format": "png"},
        )
        assert submitted.status_code == 200
        envelope = submitted.json()
        assert (envelope["code"], envelope["message"]) == (200, "success")
        task_id, status = envelope["data"]["id"], envelope["data"]["status"]
        assert status == "created" and envelope["data"]["urls"]["get"].endswith(f"/{task_id}/result")

        # Both result paths advance the same task.
        statuses = []
        for path in (f"/api/v3/predictions/{task_id}", f"/api/v3/predictions/{task_id}/result") * 2:
            statuses.append((await client.get(path, headers=auth)).json()["data"])
        assert [s["status"] for s in statuses] == ["created", "processing", "completed", "completed"]
        [url] = statuses[-1]["outputs"]
        assert url.startswith("http://") and statuses[-1]["has_nsfw_contents"] == [False]
        image = await client.get(url)
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert decoded(image.content) == ("PNG", (512, 256))

        unknown = await client.get("/api/v3/predictions/does-not-exist/result", headers=auth)
        assert unknown.status_code == 404

        sync = await client.post(
            "/api/v3/wavespeed-ai/qwen-image/text-to-image",
            headers=auth,
            json={"prompt": "x", "enable_sync_mode": True, "enable_base64_output": True},
        )
        data = sync.json()["data"]
        assert data["status"] == "completed"
        assert decoded(base64.b64decode(data["outputs"][0])) == ("JPEG", (1024, 1024))


async def test_fake_wavespeed_strict_mode_rejects_unknown_fields():
    app = create_fake_wavespeed(api_key=KEY, strict=True)
    base_url, stop = serve_in_thread(app)
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            answer = await client.post(
                "/api/v3/ideogram-ai/ideogram-v3-turbo",
                headers={"authorization": f"Bearer {KEY}"},
                json={"prompt": "x", "width": 1024},
            )
            assert answer.status_code == 400 and "width" in answer.json()["message"]
    finally:
        stop()
