"""The Hugging Face adapter over real HTTP against the local fake HF Inference server."""

import io
import json
import time

import httpx
import pytest
from PIL import Image

from studio_common.catalog import PROVIDERS_BY_NAME
from studio_providers.base import ProviderError, ProviderRequest, UnsupportedOperation
from studio_providers.http import RetryPolicy
from studio_providers.huggingface import HuggingFaceProvider, fit_size
from studio_providers.testing.fake_huggingface import create_fake_huggingface
from studio_providers.testing.server import RecordedSleep, serve_in_thread

TOKEN = "hf_test0123456789abcdefSECRET"
FLUX = "black-forest-labs/FLUX.1-schnell"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def fake():
    app = create_fake_huggingface(api_token=TOKEN, loading_estimate=20.0)
    base_url, stop = serve_in_thread(app)
    yield app, base_url
    stop()


@pytest.fixture(autouse=True)
def clean_log(fake):
    state = fake[0].state
    state.reset()
    models, loading_calls, estimate = dict(state.models), state.loading_calls, state.loading_estimate
    yield
    state.models, state.loading_calls, state.loading_estimate = models, loading_calls, estimate


@pytest.fixture
async def make(fake):
    """Builds providers against the fake; a scenario rides on the client's default headers."""
    clients: list[httpx.AsyncClient] = []

    def build(scenario: str | None = None, token: str = TOKEN, **options) -> HuggingFaceProvider:
        client = httpx.AsyncClient(headers={"x-fake-scenario": scenario} if scenario else None, timeout=30)
        clients.append(client)
        options.setdefault("retry_policy", FAST)
        options.setdefault("max_loading_wait", 0.01)
        return HuggingFaceProvider(token, fake[1], client=client, **options)

    yield build
    for client in clients:
        await client.aclose()


def log(fake) -> list[dict]:
    return list(fake[0].state.requests)


def decoded(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size


# -- requests -----------------------------------------------------------------------------------------------


async def test_huggingface_posts_json_inputs_and_parameters_with_bearer_and_accept(fake, make):
    output = await make().run(
        ProviderRequest(
            kind="create",
            model=FLUX,
            prompt="a lighthouse at dusk",
            negative_prompt="fog",
            width=1000,
            height=600,
            seed=42,
            params={"num_inference_steps": 4, "guidance_scale": 3.5, "prompt": "ignored"},
        )
    )

    # 1000 x 600 rounded to FLUX's multiple of 16.
    assert (output.width, output.height) == (1008, 608)
    assert decoded(output.data) == ("PNG", (1008, 608))
    assert output.content_type == "image/png" and output.seed == 42
    [entry] = log(fake)
    assert entry["method"] == "POST" and entry["path"] == f"/hf-inference/models/{FLUX}"
    assert entry["status"] == 200
    assert entry["json"] == {
        "inputs": "a lighthouse at dusk",
        "parameters": {
            "negative_prompt": "fog",
            "width": 1008,
            "height": 608,
            "num_inference_steps": 4,
            "guidance_scale": 3.5,
            "seed": 42,
        },
    }
    headers = entry["headers"]
    assert headers["accept"] == "image/png"
    assert headers["content-type"] == "application/json"
    assert "authorization" not in headers and TOKEN not in json.dumps(entry)


async def test_huggingface_sends_seed_zero_and_explicit_zero_guidance_but_omits_unset_values(fake, make):
    await make().run(
        ProviderRequest(
            kind="create",
            model=SDXL,
            prompt="a fox",
            seed=0,
            params={"guidance_scale": 0.0, "num_inference_steps": None, "scheduler": ""},
        )
    )

    [entry] = log(fake)
    assert entry["path"] == f"/hf-inference/models/{SDXL}"
    assert entry["json"] == {"inputs": "a fox", "parameters": {"guidance_scale": 0.0, "seed": 0}}


async def test_huggingface_size_is_rounded_to_the_model_multiple_and_clamped_keeping_aspect(fake, make):
    flux = await make().run(
        ProviderRequest(kind="create", model=FLUX, prompt="wide", width=4000, height=2000, seed=1)
    )
    sdxl = await make().run(
        ProviderRequest(kind="create", model=SDXL, prompt="screen", width=1366, height=770, seed=2)
    )

    assert (flux.width, flux.height) == (1440, 720) == decoded(flux.data)[1]
    assert (sdxl.width, sdxl.height) == (1368, 768) == decoded(sdxl.data)[1]
    sent = [(e["json"]["parameters"]["width"], e["json"]["parameters"]["height"]) for e in log(fake)]
    assert sent == [(1440, 720), (1368, 768)]


@pytest.mark.parametrize(
    ("width", "height", "multiple", "max_side", "expected"),
    [
        (1024, 1024, 16, 1440, (1024, 1024)),
        (1000, 600, 16, 1440, (1008, 608)),
        (1920, 1080, 16, 1440, (1440, 816)),
        (1080, 1920, 16, 1440, (816, 1440)),
        (1443, 100, 16, 1440, (1440, 96)),
        (10, 10, 16, 1440, (16, 16)),
        (1366, 770, 8, 1536, (1368, 768)),
        (3000, 3000, 8, 1536, (1536, 1536)),
        (None, None, 16, 1440, (None, None)),
        (2000, None, 16, 1440, (1440, None)),
    ],
)
def test_huggingface_fit_size(width, height, multiple, max_side, expected):
    assert fit_size(width, height, multiple, max_side) == expected


async def test_huggingface_output_seed_and_content_follow_the_request_seed(fake, make):
    provider = make()
    first = await provider.run(
        ProviderRequest(kind="create", model=FLUX, prompt="same", width=64, height=64, seed=7)
    )
    again = await provider.run(
        ProviderRequest(kind="create", model=FLUX, prompt="same", width=64, height=64, seed=7)
    )
    other = await provider.run(
        ProviderRequest(kind="create", model=FLUX, prompt="same", width=64, height=64, seed=8)
    )
    assert first.data == again.data != other.data


def test_huggingface_supports_every_catalog_offer_and_nothing_else():
    provider = HuggingFaceProvider("hf_secret_x")
    offers = PROVIDERS_BY_NAME["huggingface"].models
    assert offers
    for offer in offers:
        for kind in offer.kinds:
            assert provider.supports(kind, offer.model), (kind, offer.model)
    assert not provider.supports("edit.inpaint", FLUX)
    assert not provider.supports("create", "black-forest-labs/FLUX.1-dev")
    assert not provider.supports("create", "core")
    assert "hf_secret_x" not in repr(provider)


async def test_huggingface_unsupported_model_is_refused_without_a_request(fake, make):
    with pytest.raises(UnsupportedOperation):
        await make().run(ProviderRequest(kind="create", model="black-forest-labs/FLUX.1-dev", prompt="x"))
    assert log(fake) == []


# -- loading models -----------------------------------------------------------------------------------------


async def test_huggingface_waits_for_a_loading_model_then_succeeds(fake, make):
    # The fake estimates 20 s; the capped wait keeps this fast, and no 503 may escape as an error.
    started = time.monotonic()
    output = await make("loading:2", loading_retries=3).run(
        ProviderRequest(kind="create", model=FLUX, prompt="x", width=256, height=256, seed=3)
    )

    assert time.monotonic() - started < 5
    assert (output.width, output.height) == (256, 256)
    assert [e["status"] for e in log(fake)] == [503, 503, 200]


async def test_huggingface_cold_model_from_loading_calls(fake, make):
    fake[0].state.loading_calls = 3
    output = await make().run(ProviderRequest(kind="create", model=SDXL, prompt="x", width=128, height=128))

    assert (output.width, output.height) == (128, 128)
    assert [e["status"] for e in log(fake)] == [503, 503, 503, 200]


async def test_huggingface_waits_min_of_estimated_time_and_cap(fake, make):
    fake[0].state.loading_estimate = 0.3
    waits = RecordedSleep()
    policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, sleep=waits)
    await make("loading:2", max_loading_wait=5.0, retry_policy=policy).run(
        ProviderRequest(kind="create", model=FLUX, prompt="x", width=64, height=64)
    )
    assert waits.delays == [0.3, 0.3]  # the estimate, not the 5 s cap


async def test_huggingface_model_that_keeps_loading_fails_retryably_after_loading_retries(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("loading", loading_retries=2).run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_error", True, 503)
    assert "loading" in error.message
    assert [e["status"] for e in log(fake)] == [503, 503, 503]


async def test_huggingface_plain_503_is_retried_with_backoff_not_as_loading():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"error": "Service Unavailable"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        provider = HuggingFaceProvider(
            TOKEN, "http://hf.test", client=client, retry_policy=FAST, loading_retries=10
        )
        with pytest.raises(ProviderError) as caught:
            await provider.run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.status) == ("provider_error", True, 503)
    assert "Service Unavailable" in caught.value.message
    assert len(calls) == FAST.attempts


# -- failures -----------------------------------------------------------------------------------------------


async def test_huggingface_bad_token_is_an_auth_error_that_allows_fallback_and_hides_the_token(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make(token="hf_wrong_secret_token").run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("auth", True, 401)
    assert "hf_wrong_secret_token" not in str(error) and "hf_wrong_secret_token" not in error.message
    assert len(log(fake)) == 1


async def test_huggingface_out_of_credits_is_a_retryable_credits_error(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("credits").run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_credits", True, 402)
    assert "monthly included credits" in error.message
    assert len(log(fake)) == 1


async def test_huggingface_unknown_model_404_is_an_invalid_request(fake, make):
    fake[0].state.models = {FLUX: 16}
    with pytest.raises(ProviderError) as caught:
        await make().run(ProviderRequest(kind="create", model=SDXL, prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("invalid_request", False, 404)
    assert SDXL in error.message
    assert len(log(fake)) == 1


async def test_huggingface_422_carries_the_response_text(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("badparam").run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("invalid_request", False, 422)
    assert "parameters: rejected by the model" in error.message

    with pytest.raises(ProviderError) as caught:
        await make().run(
            ProviderRequest(
                kind="create",
                model=FLUX,
                prompt="x",
                params={"guidance_scale": 50, "num_inference_steps": 2.5},
            )
        )
    assert caught.value.status == 422
    assert "parameters.guidance_scale: must be between 0 and 30" in caught.value.message
    assert "parameters.num_inference_steps: must be an integer" in caught.value.message
    assert len(log(fake)) == 2


async def test_huggingface_429_is_retried_honouring_retry_after_then_succeeds(fake, make):
    # A back-off of several seconds would be used if Retry-After: 0 were ignored.
    waits = RecordedSleep()
    provider = make(
        "ratelimit:2", retry_policy=RetryPolicy(attempts=4, base_delay=4.0, max_delay=8.0, sleep=waits)
    )
    output = await provider.run(
        ProviderRequest(kind="create", model=FLUX, prompt="x", width=64, height=64, seed=1)
    )

    assert waits.delays == [0.0, 0.0]
    assert (output.width, output.height) == (64, 64)
    assert [e["status"] for e in log(fake)] == [429, 429, 200]


async def test_huggingface_persistent_429_is_rate_limited_and_retryable(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("ratelimit").run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    assert (caught.value.code, caught.value.retryable, caught.value.status) == ("rate_limited", True, 429)
    assert len(log(fake)) == FAST.attempts


async def test_huggingface_persistent_500_is_a_retryable_error_after_all_attempts(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("error500", retry_policy=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)).run(
            ProviderRequest(kind="create", model=FLUX, prompt="x")
        )
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("provider_error", True, 500)
    assert [e["status"] for e in log(fake)] == [500, 500, 500]


async def test_huggingface_200_that_is_not_an_image_is_bad_output(fake, make):
    with pytest.raises(ProviderError) as caught:
        await make("not_image").run(ProviderRequest(kind="create", model=FLUX, prompt="x"))
    error = caught.value
    assert error.code == "bad_output" and error.status == 200
    assert "text/plain" in error.message
    assert len(log(fake)) == 1


# -- the fake itself ----------------------------------------------------------------------------------------


async def test_fake_huggingface_checks_auth_json_and_serves_the_legacy_path(fake):
    auth = {"authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=fake[1]) as client:
        missing = await client.post(f"/hf-inference/models/{FLUX}", json={"inputs": "x"})
        assert missing.status_code == 401 and "error" in missing.json()

        not_json = await client.post(f"/hf-inference/models/{FLUX}", headers=auth, content=b"inputs=x")
        assert not_json.status_code == 400

        no_inputs = await client.post(
            f"/hf-inference/models/{FLUX}", headers=auth, json={"parameters": {"width": 100}}
        )
        assert no_inputs.status_code == 422
        message = no_inputs.json()["error"]
        assert "inputs: must be a non-empty string" in message
        assert "parameters.width: must be a multiple of 16" in message

        legacy = await client.post(
            f"/models/{SDXL}", headers=auth, json={"inputs": "x", "parameters": {"width": 72, "height": 64}}
        )
        assert legacy.status_code == 200 and legacy.headers["content-type"] == "image/png"
        assert decoded(legacy.content) == ("PNG", (72, 64))

        unknown = await client.post("/hf-inference/models/nobody/nothing", headers=auth, json={"inputs": "x"})
        assert unknown.status_code == 404
