"""A local stand-in for Hugging Face Inference (the router's `hf-inference` provider) text-to-image, so the
adapter is tested over real HTTP without a token or network.

What it does: `POST /hf-inference/models/{org}/{name}` (and `/models/{org}/{name}`, the legacy host's path);
bearer-token check; JSON body validation (`inputs` a non-empty string, `parameters` an object with typed,
ranged values; sides a multiple of the model's step), failures answered 422 `{"error": ...}`; 404 for a
model it does not know; PNG bytes of the requested width and height, with content derived from the seed; a
request log.

Failures are chosen per request with the `X-Fake-Scenario` header (or `app.state.default_scenario` for every
request), a comma-separated list of:
    ratelimit       429 with `Retry-After: 0` on every call; `ratelimit:N` only on the first N such calls
    error500        500 on every call; `error500:N` only on the first N such calls
    credits         402 with the monthly-credits message
    badparam        422 validation error
    loading         503 "currently loading" on every call; `loading:N` only on the first N such calls
    not_image       200 with a text body instead of an image
Independently of scenarios, each model answers 503 "currently loading" to its first `loading_calls` valid
calls (a cold model warming up).
"""

import io
import json
import math
import uuid
import zlib

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from studio_providers.testing.fake_stability import pattern
from studio_providers.testing.server import requested_scenarios

# Model -> the step its sides must be a multiple of.
KNOWN_MODELS = {
    "black-forest-labs/FLUX.1-schnell": 16,
    "black-forest-labs/FLUX.1-dev": 16,
    "stabilityai/stable-diffusion-xl-base-1.0": 8,
}
DEFAULT_SIDE = 1024
MIN_SIDE, MAX_SIDE = 64, 2048
MAX_PROMPT = 10000
MAX_SEED = 2**64 - 1
CREDITS_MESSAGE = (
    "You have exceeded your monthly included credits for Inference Providers. "
    "Subscribe to PRO to get 20x more monthly included credits."
)
# Parameter -> (type, low, high); low/high None for strings.
PARAMETERS: dict[str, tuple[type, float | None, float | None]] = {
    "negative_prompt": (str, None, None),
    "width": (int, MIN_SIDE, MAX_SIDE),
    "height": (int, MIN_SIDE, MAX_SIDE),
    "num_inference_steps": (int, 1, 100),
    "guidance_scale": (float, 0, 30),
    "scheduler": (str, None, None),
    "seed": (int, 0, MAX_SEED),
}


def validate(body: object, multiple: int) -> list[str]:
    if not isinstance(body, dict):
        return ["body: must be a JSON object"]
    errors = [f"{name}: unknown field" for name in body if name not in ("inputs", "parameters", "options")]
    inputs = body.get("inputs")
    if not isinstance(inputs, str) or not inputs.strip():
        errors.append("inputs: must be a non-empty string")
    elif len(inputs) > MAX_PROMPT:
        errors.append(f"inputs: must be at most {MAX_PROMPT} characters")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        return errors + ["parameters: must be an object"]
    for name, value in parameters.items():
        rule = PARAMETERS.get(name)
        if rule is None:
            errors.append(f"parameters.{name}: unknown parameter")
            continue
        kind, low, high = rule
        if kind is str:
            if not isinstance(value, str):
                errors.append(f"parameters.{name}: must be a string")
            continue
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not numeric or (kind is int and not isinstance(value, int)) or not math.isfinite(value):
            errors.append(f"parameters.{name}: must be {'an integer' if kind is int else 'a number'}")
        elif not low <= value <= high:
            errors.append(f"parameters.{name}: must be between {low:g} and {high:g}")
        elif name in ("width", "height") and value % multiple:
            errors.append(f"parameters.{name}: must be a multiple of {multiple}")
    return errors


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def render_png(seed: int, width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    pattern(seed, (width, height)).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def create_fake_huggingface(
    api_token: str = "hf_test",
    loading_calls: int = 0,
    *,
    loading_estimate: float = 20.0,
    models: dict[str, int] | None = None,
) -> FastAPI:
    """The fake HF Inference API. `app.state.requests` logs every request; `app.state.reset()` clears it and
    all counters (so every model is cold again). `app.state.models` (model -> side step) is what it serves;
    `app.state.loading_calls` and `app.state.loading_estimate` may be changed between requests."""
    app = FastAPI(title="fake Hugging Face Inference")
    state = app.state
    state.requests = []
    state.counters = {}
    state.models = dict(KNOWN_MODELS if models is None else models)
    state.loading_calls = loading_calls
    state.loading_estimate = loading_estimate

    def reset() -> None:
        state.requests.clear()
        state.counters.clear()

    state.reset = reset

    def fires(token: str, arg: str | None) -> bool:
        state.counters[token] = state.counters.get(token, 0) + 1
        return arg is None or state.counters[token] <= int(arg)

    def finish(entry: dict, response: Response) -> Response:
        entry["status"] = response.status_code
        return response

    def loading(model: str) -> JSONResponse:
        return JSONResponse(
            {"error": f"Model {model} is currently loading", "estimated_time": state.loading_estimate},
            status_code=503,
        )

    async def infer(model: str, request: Request) -> Response:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "model": model,
            "headers": {k: v for k, v in request.headers.items() if k != "authorization"},
            "json": None,
            "status": None,
        }
        state.requests.append(entry)
        scenarios = requested_scenarios(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token != api_token:
            return finish(entry, _error(401, "Invalid credentials in Authorization header"))
        limit = scenarios.get("ratelimit")
        if "ratelimit" in scenarios and fires(f"ratelimit:{limit}", limit):
            return finish(
                entry, _error(429, "Rate limit reached. Please retry later.", headers={"retry-after": "0"})
            )
        if "error500" in scenarios and fires("error500:" + str(scenarios["error500"]), scenarios["error500"]):
            return finish(entry, _error(500, "Internal Server Error"))
        if "credits" in scenarios:
            return finish(entry, _error(402, CREDITS_MESSAGE))
        multiple = state.models.get(model)
        if multiple is None:
            return finish(entry, _error(404, f"Model {model} does not exist"))
        if not request.headers.get("content-type", "").startswith("application/json"):
            return finish(entry, _error(400, "content-type: must be application/json"))
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return finish(entry, _error(400, "body: must be valid JSON"))
        entry["json"] = body
        errors = validate(body, multiple)
        if errors:
            return finish(entry, _error(422, "; ".join(errors)))
        if "badparam" in scenarios:
            return finish(entry, _error(422, "parameters: rejected by the model"))
        if "loading" in scenarios and fires("loading:" + str(scenarios["loading"]), scenarios["loading"]):
            return finish(entry, loading(model))
        if state.loading_calls > 0 and fires(f"cold:{model}", str(state.loading_calls)):
            return finish(entry, loading(model))
        if "not_image" in scenarios:
            return finish(entry, Response("the model produced no image", media_type="text/plain"))
        parameters = body.get("parameters") or {}
        seed = parameters.get("seed")
        if seed is None:
            seed = zlib.crc32(f"{model}|{body['inputs']}".encode())
        width = parameters.get("width", DEFAULT_SIDE)
        height = parameters.get("height", DEFAULT_SIDE)
        data = await run_in_threadpool(render_png, seed, width, height)
        return finish(
            entry, Response(data, media_type="image/png", headers={"x-request-id": uuid.uuid4().hex})
        )

    @app.post("/hf-inference/models/{org}/{name}")
    async def router_route(org: str, name: str, request: Request) -> Response:
        return await infer(f"{org}/{name}", request)

    @app.post("/models/{org}/{name}")
    async def legacy_route(org: str, name: str, request: Request) -> Response:
        return await infer(f"{org}/{name}", request)

    return app
