"""The Gemini adapter over real HTTP against the local fake Gemini API."""

import base64
import io

import httpx
import pytest
from PIL import Image

from studio_common.catalog import PROVIDERS_BY_NAME
from studio_providers.base import ProviderError, ProviderRequest
from studio_providers.gemini import GeminiProvider, nearest_aspect_ratio, retry_delay_seconds
from studio_providers.http import RetryPolicy
from studio_providers.testing.fake_gemini import SIZES, create_fake_gemini
from studio_providers.testing.server import RecordedSleep, serve_in_thread

KEY = "gm-test-0123456789abcdef"
MODEL = "gemini-2.5-flash-image"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
PATH = f"/v1beta/models/{MODEL}:generateContent"


@pytest.fixture(scope="module")
def fake():
    app = create_fake_gemini(api_key=KEY)
    base_url, stop = serve_in_thread(app)
    yield app, base_url
    stop()


@pytest.fixture(autouse=True)
def clean_log(fake):
    app = fake[0]
    app.state.reset()
    app.state.default_scenario = ""
    app.state.retry_delay = "0s"
    app.state.retry_after = None


@pytest.fixture
async def make(fake):
    """Builds providers against the fake; a scenario rides on the client's default headers."""
    clients: list[httpx.AsyncClient] = []

    def build(scenario: str | None = None, key: str = KEY, **options) -> GeminiProvider:
        client = httpx.AsyncClient(headers={"x-fake-scenario": scenario} if scenario else None, timeout=30)
        clients.append(client)
        options.setdefault("retry_policy", FAST)
        return GeminiProvider(key, fake[1], client=client, **options)

    yield build
    for client in clients:
        await client.aclose()


def log(fake) -> list[dict]:
    return list(fake[0].state.requests)


def image_bytes(width: int, height: int, color=(200, 60, 40), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def decoded_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def create(**fields) -> ProviderRequest:
    return ProviderRequest(kind="create", model=MODEL, **fields)


# -- success ------------------------------------------------------------------------------------------------


def test_the_catalog_model_is_supported_and_nothing_else():
    offers = [(o.model, kind) for o in PROVIDERS_BY_NAME["gemini"].models for kind in o.kinds]
    provider = GeminiProvider(KEY)
    assert offers and all(provider.supports(kind, model) for model, kind in offers)
    assert not provider.supports("edit.inpaint", MODEL)
    assert not provider.supports("create", "gemini-1.0-pro")
    assert KEY not in repr(provider)


async def test_create_sends_the_documented_body_and_key_header(fake, make):
    output = await make().run(
        create(prompt="a lighthouse at dusk", negative_prompt="fog, people", width=1920, height=1080, seed=42)
    )

    assert output.content_type == "image/png"
    assert (output.width, output.height) == SIZES["16:9"] == decoded_size(output.data) == (1344, 768)
    [entry] = log(fake)
    assert entry["method"] == "POST" and entry["path"] == PATH and entry["status"] == 200
    assert entry["query"] == {}  # the key travels in the header, never in the URL
    assert entry["headers"]["content-type"] == "application/json"
    assert "x-goog-api-key" not in entry["headers"]  # the fake accepted it and kept it out of the log
    assert entry["body"] == {
        "contents": [{"role": "user", "parts": [{"text": "a lighthouse at dusk Avoid: fog, people"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}},
    }


async def test_the_key_header_is_really_sent(fake):
    captured: list[httpx.Request] = []

    async def spy(request: httpx.Request) -> None:
        captured.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [spy]}, timeout=30) as client:
        await GeminiProvider(KEY, fake[1], client=client, retry_policy=FAST).run(create(prompt="x"))
    [request] = captured
    assert request.headers["x-goog-api-key"] == KEY
    assert KEY not in str(request.url)


@pytest.mark.parametrize(
    ("width", "height", "ratio"),
    [
        (1024, 1024, "1:1"),
        (1080, 1920, "9:16"),
        (1200, 900, "4:3"),
        (900, 1200, "3:4"),
        (1500, 1000, "3:2"),
        (1000, 1500, "2:3"),
        (2560, 1080, "21:9"),
        (4000, 1000, "21:9"),
        (1000, 1100, "1:1"),
    ],
)
async def test_aspect_ratio_is_the_nearest_allowed_one(fake, make, width, height, ratio):
    assert nearest_aspect_ratio(width, height) == ratio
    output = await make().run(create(prompt="p", width=width, height=height))
    [entry] = log(fake)
    assert entry["body"]["generationConfig"]["imageConfig"] == {"aspectRatio": ratio}
    assert (output.width, output.height) == SIZES[ratio]


async def test_without_a_size_no_aspect_ratio_is_forced(fake, make):
    output = await make().run(create(prompt="p"))
    [entry] = log(fake)
    assert "imageConfig" not in entry["body"]["generationConfig"]
    assert (output.width, output.height) == SIZES["1:1"]


async def test_reference_image_is_sent_as_inline_data(fake, make):
    reference = image_bytes(300, 200, fmt="JPEG")
    output = await make().run(
        create(prompt="make it a watercolour", width=1536, height=1024, inputs={"image": reference})
    )

    assert (output.width, output.height) == SIZES["3:2"]
    [entry] = log(fake)
    text, inline = entry["body"]["contents"][0]["parts"]
    assert text == {"text": "make it a watercolour"}
    assert inline["inline_data"]["mime_type"] == "image/jpeg"
    assert base64.b64decode(inline["inline_data"]["data"]) == reference


# -- safety -------------------------------------------------------------------------------------------------


async def test_blocked_prompt_is_content_moderation_not_charged(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("prompt_blocked").run(create(prompt="x", width=512, height=512))
    error = caught.value
    assert (error.code, error.retryable, error.charged) == ("content_moderation", False, False)
    assert "SAFETY" in error.message
    assert len(log(fake)) == 1


@pytest.mark.parametrize("scenario", ["image_safety", "image_prohibited"])
async def test_blocked_output_is_content_filtered_and_charged(fake, make, scenario):
    with pytest.raises(ProviderError) as caught:
        await make(scenario).run(create(prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.charged) == ("content_filtered", False, True)
    assert "IMAGE_" in error.message
    assert len(log(fake)) == 1


async def test_text_only_reply_is_a_retryable_no_image_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("text_only").run(create(prompt="x"))
    error = caught.value
    assert (error.code, error.retryable) == ("no_image", True)
    assert "can't create that image" in error.message
    assert len(log(fake)) == 1


# -- errors -------------------------------------------------------------------------------------------------


async def test_bad_key_is_an_auth_error_that_allows_fallback_and_hides_the_key(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make(key="gm-wrong-secret").run(create(prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("auth", True, 400)
    assert "API key not valid" in error.message
    assert "gm-wrong-secret" not in str(error) and "gm-wrong-secret" not in repr(error.args)
    assert len(log(fake)) == 1


async def test_other_400_is_invalid_request_with_the_server_message(fake, make):
    provider = make()
    with pytest.raises(ProviderError) as caught:
        await provider.run(create(prompt="x", inputs={"image": b"not an image at all"}))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("invalid_request", False, 400)
    assert "Unsupported MIME type" in error.message
    assert len(log(fake)) == 1


async def test_429_is_retried_honouring_retry_info_then_succeeds(fake, make):
    # RetryInfo says "0s" and no Retry-After header is sent; ignoring it would back off for seconds.
    waits = RecordedSleep()
    provider = make(
        "ratelimit:2", retry_policy=RetryPolicy(attempts=4, base_delay=4.0, max_delay=8.0, sleep=waits)
    )
    output = await provider.run(create(prompt="x", width=1024, height=1024))

    assert waits.delays == [0.0, 0.0]
    assert (output.width, output.height) == SIZES["1:1"]
    assert [e["status"] for e in log(fake)] == [429, 429, 200]


async def test_429_waits_for_the_retry_delay_it_is_given(fake, make):
    fake[0].state.retry_delay = "0.6s"
    waits = RecordedSleep()
    provider = make(
        "ratelimit:1", retry_policy=RetryPolicy(attempts=3, base_delay=0.01, max_delay=5.0, sleep=waits)
    )
    await provider.run(create(prompt="x"))
    assert waits.delays == [0.6]
    assert [e["status"] for e in log(fake)] == [429, 200]


async def test_persistent_429_is_rate_limited_and_retryable(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("ratelimit").run(create(prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.status) == ("rate_limited", True, 429)
    assert "quota" in caught.value.message
    assert len(log(fake)) == FAST.attempts


async def test_persistent_503_is_a_retryable_error_after_all_attempts(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("unavailable", retry_policy=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)).run(
            create(prompt="x")
        )
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_error", True, 503)
    assert "overloaded" in error.message
    assert [e["status"] for e in log(fake)] == [503, 503, 503]


async def test_a_passing_500_is_retried(fake, make):
    output = await make("error500:1").run(create(prompt="x"))
    assert output.width == SIZES["1:1"][0]
    assert [e["status"] for e in log(fake)] == [500, 200]


def test_retry_delay_reads_retry_info_then_retry_after():
    def answer(body, headers=None) -> httpx.Response:
        return httpx.Response(429, json=body, headers=headers)

    info = {
        "error": {
            "code": 429,
            "details": [
                {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"},
            ],
        }
    }
    assert retry_delay_seconds(answer(info)) == 37.0
    assert retry_delay_seconds(answer([info])) == 37.0  # a proxy's one-element list
    info["error"]["details"][1]["retryDelay"] = "1.5s"
    assert retry_delay_seconds(answer(info, {"retry-after": "9"})) == 1.5
    assert retry_delay_seconds(answer({"error": {"code": 429}}, {"retry-after": "9"})) == 9.0
    assert retry_delay_seconds(httpx.Response(503, text="<html>overloaded</html>")) is None


# -- the fake itself ----------------------------------------------------------------------------------------


async def test_fake_gemini_checks_key_model_and_body(fake):
    base_url = fake[1]
    good = {
        "contents": [{"parts": [{"text": "a cat"}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        by_query = await client.post(f"{PATH}?key={KEY}", json=good)
        assert by_query.status_code == 200
        body = by_query.json()
        parts = body["candidates"][0]["content"]["parts"]
        assert parts[0]["text"] and parts[1]["inlineData"]["mimeType"] == "image/png"
        assert body["candidates"][0]["finishReason"] == "STOP"
        assert body["usageMetadata"]["candidatesTokensDetails"] == [{"modality": "IMAGE", "tokenCount": 1290}]
        assert log(fake)[-1]["query"] == {}

        bad_key = await client.post(PATH, json=good, headers={"x-goog-api-key": "nope"})
        assert bad_key.status_code == 400
        assert bad_key.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
        assert (await client.post(PATH, json=good)).status_code == 403

        auth = {"x-goog-api-key": KEY}
        unknown = await client.post("/v1beta/models/gemini-9-ultra:generateContent", json=good, headers=auth)
        assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"

        async def rejected(config: dict) -> str:
            answer = await client.post(PATH, json={**good, "generationConfig": config}, headers=auth)
            assert answer.status_code == 400 and answer.json()["error"]["status"] == "INVALID_ARGUMENT"
            return answer.json()["error"]["message"]

        assert "response_mime_type" in await rejected(
            {"responseModalities": ["IMAGE"], "responseMimeType": "application/json"}
        )
        assert 'Unknown name "outputMimeType"' in await rejected(
            {"responseModalities": ["IMAGE"], "imageConfig": {"outputMimeType": "image/jpeg"}}
        )
        assert "aspect ratio" in await rejected({"imageConfig": {"aspectRatio": "5:4"}})
