"""A local stand-in for the WaveSpeedAI REST v3 API, speaking its task protocol, so the adapter is tested
over real HTTP without a key or network.

What it does: `POST /api/v3/{nested/model/path}` with flat JSON inputs, checked per model (required
fields, enums, ranges, media given as `data:` URIs, URLs or bare base64), failures answered 400
`{code, message}`; a bearer-key check (401); answers `{code: 200, message: "success", data: {prediction}}`
with `status: "created"`. `GET /api/v3/predictions/{id}/result` and `GET /api/v3/predictions/{id}` walk
the task through `created` and `processing` over `processing_polls` polls (shared by both paths), then
`completed` with `outputs`, `has_nsfw_contents` and `timings`. Outputs are real files served by the fake
under `/fake-outputs/` without a key (as from a CDN): a PNG/JPEG/WebP at the requested size for image
models, a small H.264 MP4 at the requested resolution for video models (4 fps, cached per size and
length). `enable_base64_output` puts bare base64 strings in `outputs` instead; `enable_sync_mode` answers
the submit with the finished task. Unknown ids get 404. Every request is logged in `app.state.requests`.

Failures are chosen per request with the `X-Fake-Scenario` header, or for every request with
`app.state.default_scenario`, as a comma-separated list of:
    failed          the task ends `failed` with an `error` (still HTTP 200)
    cancelled       the task ends `cancelled`
    timeout         the task ends `timeout`
    nsfw            the task completes with `has_nsfw_contents: [true]`
    never_finishes  the task stays `processing`
    processing:N    the task finishes after N polls (instead of `processing_polls`)
    ratelimit       429 "Too Many Requests" on every API call; `ratelimit:N` only on the first N such calls
    submit500       500 on every submit; `submit500:N` only on the first N submits
    poll500         500 on every poll; `poll500:N` only on the first N polls
    sync_timeout    with `enable_sync_mode`, the 5004 "sync mode timed out" answer (the task keeps running)
"""

import base64
import binascii
import functools
import io
import math
import re
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image
from starlette.concurrency import run_in_threadpool

from studio_common import audio_probe
from studio_providers.local.video import render_video
from studio_providers.testing.fake_stability import blurred, encode, pattern
from studio_providers.testing.server import requested_scenarios

MAX_SEED = 2_147_483_647
IDEOGRAM_ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
IDEOGRAM_STYLES = ("Auto", "General", "Realistic", "Design")
QWEN_FORMATS = ("jpeg", "png", "webp")
VIDEO_RESOLUTIONS = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}
VIDEO_FPS = 4
MAX_AUDIO_BYTES = 15 * 1024 * 1024
_SIZE = re.compile(r"(\d{1,5})\*(\d{1,5})")
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(;[^,]*)?,(.*)", re.DOTALL)


class Invalid(Exception):
    """A request field error, answered 400."""


@dataclass(frozen=True, slots=True)
class Model:
    required: tuple[str, ...]
    output: str  # "image" | "video" | "avatar"
    fields: tuple[str, ...]  # every field the schema knows (strict mode rejects others)
    check: Callable[[dict[str, Any]], None] | None = None


def _media(body: dict[str, Any], name: str, kind: str) -> bytes | None:
    """Decode a media field given as a data URI or bare base64; a URL is accepted unread (None)."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise Invalid(f"{name}: must be a URL or base64 data")
    if value.startswith(("http://", "https://")):
        return None
    match = _DATA_URI.fullmatch(value)
    if match is not None:
        mime, options, payload = match.groups()
        if not options or "base64" not in options:
            raise Invalid(f"{name}: data URI must be base64 encoded")
        if mime and not mime.startswith(kind + "/"):
            raise Invalid(f"{name}: expected {kind} data, got {mime}")
        value = payload
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"{name}: is neither a URL nor valid base64") from None
    if not data:
        raise Invalid(f"{name}: is empty")
    if kind == "image":
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                if (image.format or "").upper() not in ("PNG", "JPEG", "WEBP"):
                    raise Invalid(f"{name}: must be a jpeg, png or webp image")
        except Invalid:
            raise
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise Invalid(f"{name}: could not be decoded as an image") from None
    elif kind == "audio":
        if len(data) > MAX_AUDIO_BYTES:
            raise Invalid(f"{name}: must be at most 15 MB")
        if audio_probe.sniff_audio(data) is None:
            raise Invalid(f"{name}: must be wav or mp3 audio")
    return data


def _enum(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    if name in body and body[name] not in allowed:
        raise Invalid(f"{name}: must be one of {', '.join(allowed)}")


def _int(body: dict[str, Any], name: str, low: int, high: int) -> None:
    if name not in body:
        return
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name}: must be an integer")
    if not low <= value <= high:
        raise Invalid(f"{name}: must be between {low} and {high}")


def _bool(body: dict[str, Any], name: str) -> None:
    if name in body and not isinstance(body[name], bool):
        raise Invalid(f"{name}: must be a boolean")


def _ideogram(body: dict[str, Any]) -> None:
    _enum(body, "aspect_ratio", IDEOGRAM_ASPECT_RATIOS)
    _enum(body, "style", IDEOGRAM_STYLES)
    for name in ("image", "mask_image"):
        if name in body:
            _media(body, name, "image")


def _qwen(body: dict[str, Any]) -> None:
    if "size" in body:
        match = _SIZE.fullmatch(str(body["size"]))
        if match is None:
            raise Invalid('size: must look like "1024*1024"')
        if not all(256 <= int(side) <= 1536 for side in match.groups()):
            raise Invalid("size: each side must be between 256 and 1536")
    _int(body, "seed", -1, MAX_SEED)
    _enum(body, "output_format", QWEN_FORMATS)


def _wan(body: dict[str, Any]) -> None:
    _media(body, "image", "image")
    if "audio" in body:
        _media(body, "audio", "audio")
    _enum(body, "resolution", tuple(VIDEO_RESOLUTIONS))
    _int(body, "duration", 3, 10)
    _int(body, "seed", -1, MAX_SEED)
    _bool(body, "enable_prompt_expansion")


def _infinitetalk(body: dict[str, Any]) -> None:
    _media(body, "image", "image")
    _media(body, "audio", "audio")
    if "mask_image" in body:
        _media(body, "mask_image", "image")
    _enum(body, "resolution", ("480p", "720p"))
    _int(body, "seed", -1, MAX_SEED)


_COMMON = ("enable_base64_output", "enable_sync_mode")
_IDEOGRAM = Model(
    ("prompt",),
    "image",
    ("prompt", "image", "mask_image", "style", "aspect_ratio", "reference_images", *_COMMON),
    _ideogram,
)
MODELS: dict[str, Model] = {
    "ideogram-ai/ideogram-v3-turbo": _IDEOGRAM,
    "ideogram-ai/ideogram-v3-balanced": _IDEOGRAM,
    "ideogram-ai/ideogram-v3-quality": _IDEOGRAM,
    "wavespeed-ai/qwen-image/text-to-image": Model(
        ("prompt",), "image", ("prompt", "size", "seed", "output_format", *_COMMON), _qwen
    ),
    "alibaba/wan-2.5/image-to-video": Model(
        ("image", "prompt"),
        "video",
        (
            "image",
            "prompt",
            "audio",
            "negative_prompt",
            "resolution",
            "duration",
            "enable_prompt_expansion",
            "seed",
            *_COMMON,
        ),
        _wan,
    ),
    "wavespeed-ai/infinitetalk": Model(
        ("image", "audio"),
        "avatar",
        ("image", "audio", "mask_image", "prompt", "resolution", "seed", *_COMMON),
        _infinitetalk,
    ),
}


# -- outputs ------------------------------------------------------------------------------------------------


def _ideogram_size(ratio: str) -> tuple[int, int]:
    w, h = (int(part) for part in ratio.split(":"))
    pixels = 1024 * 1024
    return (round(math.sqrt(pixels * w / h) / 16) * 16, round(math.sqrt(pixels * h / w) / 16) * 16)


def render_image(path: str, body: dict[str, Any], seed: int) -> tuple[bytes, str]:
    if path.startswith("ideogram-ai/"):
        size, output_format = _ideogram_size(body.get("aspect_ratio", "1:1")), "png"
    else:
        w, h = (int(side) for side in str(body.get("size", "1024*1024")).split("*"))
        size, output_format = (w, h), body.get("output_format", "jpeg")
    return encode(pattern(seed, size), output_format), output_format


@functools.lru_cache(maxsize=16)
def fake_clip(width: int, height: int, seconds: float) -> bytes:
    """A real H.264 MP4 of width x height lasting `seconds` at 4 fps: a slow zoom over a colour field."""
    rgb = np.asarray(pattern(7, (64, 36)), dtype=np.uint8)
    return render_video(rgb, width, height, seconds, VIDEO_FPS, "zoom_in", (0.5, 0.5))


def _audio_seconds(body: dict[str, Any]) -> float:
    data = _media(body, "audio", "audio")
    if data is None:
        return 5.0  # a URL: the fake does not fetch it
    try:
        return audio_probe.audio_duration(data)
    except ValueError:
        return 5.0


def render_video_output(model: Model, body: dict[str, Any]) -> bytes:
    if model.output == "video":
        width, height = VIDEO_RESOLUTIONS[body.get("resolution", "720p")]
        seconds = float(body.get("duration", 5))
    else:
        width, height = VIDEO_RESOLUTIONS[body.get("resolution", "480p")]
        seconds = max(1 / VIDEO_FPS, round(_audio_seconds(body) * VIDEO_FPS) / VIDEO_FPS)
    return fake_clip(width, height, seconds)


# -- the app ------------------------------------------------------------------------------------------------


@dataclass
class Task:
    id: str
    key: str
    model: str
    body: dict[str, Any]
    created_at: str
    polls: int = 0
    finish_after: float = 2
    ending: str = "completed"  # completed | failed | cancelled | timeout
    nsfw: bool = False
    outputs: list[str] = field(default_factory=list)  # names under /fake-outputs/


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status_code=status, headers=headers)


def create_fake_wavespeed(
    api_key: str = "ws-test", processing_polls: int = 2, *, strict: bool = False
) -> FastAPI:
    """The fake WaveSpeed API. `strict=True` rejects fields a model's schema does not list (whether the
    real service ignores or rejects them is unconfirmed).
    `app.state.reset()` clears the log, tasks and counters."""
    app = FastAPI(title="fake WaveSpeedAI v3")
    state = app.state
    state.requests = []
    state.tasks = {}
    state.files = {}
    state.counters = {}
    state.processing_polls = processing_polls
    state.default_scenario = ""

    def reset() -> None:
        state.requests.clear()
        state.tasks.clear()
        state.files.clear()
        state.counters.clear()
        state.default_scenario = ""

    state.reset = reset

    def log(request: Request, kind: str) -> dict:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "kind": kind,
            "headers": {k: v for k, v in request.headers.items() if k != "authorization"},
            "authorized": "authorization" in request.headers,
            "body": None,
            "status": None,
            "task_status": None,
        }
        state.requests.append(entry)
        return entry

    def finish(entry: dict, response: Response) -> Response:
        entry["status"] = response.status_code
        return response

    def caller_key(request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token == api_key else None

    def fires(token: str, arg: str | None) -> bool:
        state.counters[token] = state.counters.get(token, 0) + 1
        return arg is None or state.counters[token] <= int(arg)

    def gatekeeper(request: Request, scenarios: dict[str, str | None], server_error: str) -> Response | None:
        if caller_key(request) is None:
            return _error(401, "Unauthorized: invalid or missing API key")
        if "ratelimit" in scenarios and fires(f"ratelimit:{scenarios['ratelimit']}", scenarios["ratelimit"]):
            return _error(429, "Too Many Requests")
        if server_error in scenarios and fires(
            f"{server_error}:{scenarios[server_error]}", scenarios[server_error]
        ):
            return _error(500, "Internal Server Error")
        return None

    def output_url(request: Request, name: str) -> str:
        return str(request.base_url).rstrip("/") + f"/fake-outputs/{name}"

    def prediction(request: Request, task: Task, status: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": task.id,
            "model": task.model,
            "status": status,
            "outputs": [],
            "urls": {"get": str(request.base_url).rstrip("/") + f"/api/v3/predictions/{task.id}/result"},
            "has_nsfw_contents": [],
            "created_at": task.created_at,
            "error": "",
            "timings": {"inference": 0},
        }
        if status == "completed":
            if task.body.get("enable_base64_output"):
                data["outputs"] = [
                    base64.b64encode(state.files[name][0]).decode("ascii") for name in task.outputs
                ]
            else:
                data["outputs"] = [output_url(request, name) for name in task.outputs]
            data["has_nsfw_contents"] = [task.nsfw] * len(task.outputs)
            data["timings"] = {"inference": 1234}
        elif status == "failed":
            data["error"] = "Inference failed: the model could not process this input (fake)"
        elif status in ("cancelled", "timeout"):
            data["error"] = f"The task was {'cancelled' if status == 'cancelled' else 'timed out'} (fake)"
        return data

    async def produce(task: Task, spec: Model) -> None:
        """Render the task's output once, when it first completes."""
        if task.outputs:
            return
        if spec.output == "image":
            seed = task.body.get("seed", -1)
            if not isinstance(seed, int) or seed < 0:
                seed = zlib.crc32(f"{task.model}|{task.body.get('prompt', '')}".encode()) % MAX_SEED
            data, output_format = await run_in_threadpool(render_image, task.model, task.body, seed)
            if task.nsfw:
                data = await run_in_threadpool(
                    lambda: encode(blurred(Image.open(io.BytesIO(data)).convert("RGB")), output_format)
                )
            name, media_type = f"{task.id}.{output_format}", f"image/{output_format}"
        else:
            data = await run_in_threadpool(render_video_output, MODELS[task.model], task.body)
            name, media_type = f"{task.id}.mp4", "video/mp4"
        state.files[name] = (data, media_type)
        task.outputs = [name]

    def status_of(task: Task) -> str:
        if task.polls <= task.finish_after:
            return "created" if task.polls <= 1 else "processing"
        return task.ending

    @app.post("/api/v3/{path:path}")
    async def submit(path: str, request: Request) -> Response:
        entry = log(request, "submit")
        scenarios = requested_scenarios(request)
        if (early := gatekeeper(request, scenarios, "submit500")) is not None:
            return finish(entry, early)
        spec = MODELS.get(path)
        if spec is None:
            return finish(entry, _error(404, f"Model not found: {path}"))
        try:
            body = await request.json()
        except ValueError:
            return finish(entry, _error(400, "Invalid JSON body"))
        if not isinstance(body, dict):
            return finish(entry, _error(400, "The body must be a JSON object of the model's inputs"))
        entry["body"] = dict(body)  # media payloads kept whole, so tests can decode them
        missing = [name for name in spec.required if body.get(name) in (None, "")]
        if missing:
            return finish(entry, _error(400, "; ".join(f"{name}: is required" for name in missing)))
        if strict and (unknown := sorted(set(body) - set(spec.fields))):
            return finish(
                entry, _error(400, "; ".join(f"{name}: is not a field of {path}" for name in unknown))
            )
        try:
            if spec.check is not None:
                await run_in_threadpool(spec.check, body)
        except Invalid as exc:
            return finish(entry, _error(400, str(exc)))
        task = Task(
            uuid.uuid4().hex,
            caller_key(request) or "",
            path,
            body,
            datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        if "never_finishes" in scenarios:
            task.finish_after = math.inf
        elif scenarios.get("processing"):
            task.finish_after = int(scenarios["processing"])
        else:
            task.finish_after = state.processing_polls
        for ending in ("failed", "cancelled", "timeout"):
            if ending in scenarios:
                task.ending = ending
        task.nsfw = "nsfw" in scenarios
        state.tasks[task.id] = task
        if body.get("enable_sync_mode"):
            if "sync_timeout" in scenarios:
                data = prediction(request, task, "processing")
                data.update(code=5004, error="Sync mode timed out after 90 seconds; poll the result URL")
            else:
                task.finish_after = min(task.finish_after, 0)
                task.polls = 1
                if task.ending == "completed":
                    await produce(task, spec)
                data = prediction(request, task, status_of(task))
        else:
            data = prediction(request, task, "created")
        entry["task_status"] = data["status"]
        return finish(entry, JSONResponse({"code": 200, "message": "success", "data": data}))

    async def poll(request: Request, prediction_id: str) -> Response:
        entry = log(request, "poll")
        if (early := gatekeeper(request, requested_scenarios(request), "poll500")) is not None:
            return finish(entry, early)
        task = state.tasks.get(prediction_id)
        if task is None or task.key != caller_key(request):
            return finish(entry, _error(404, f"Prediction not found: {prediction_id}"))
        task.polls += 1
        status = status_of(task)
        if status == "completed":
            await produce(task, MODELS[task.model])
        entry["task_status"] = status
        return finish(
            entry,
            JSONResponse({"code": 200, "message": "success", "data": prediction(request, task, status)}),
        )

    @app.get("/api/v3/predictions/{prediction_id}/result")
    async def result(prediction_id: str, request: Request) -> Response:
        return await poll(request, prediction_id)

    @app.get("/api/v3/predictions/{prediction_id}")
    async def result_alias(prediction_id: str, request: Request) -> Response:
        return await poll(request, prediction_id)

    @app.get("/fake-outputs/{name}")
    async def output(name: str, request: Request) -> Response:
        entry = log(request, "download")
        found = state.files.get(name)
        if found is None:
            return finish(entry, _error(404, "Not Found"))
        data, media_type = found
        return finish(entry, Response(data, media_type=media_type))

    return app
