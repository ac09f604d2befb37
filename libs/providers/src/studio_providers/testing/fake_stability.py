"""A local stand-in for the Stability AI REST v2beta API, speaking its documented protocol and errors, so the
adapter is tested over real HTTP without a key or network.

What it does, per endpoint: multipart-only POSTs; required fields, enums, numeric ranges and input-image
rules checked, failures answered 400 `{id, name, errors}`; bearer-key check; `accept: image/*` (bytes plus
`finish-reason`/`seed`/`x-request-id` headers) or `application/json` (`{image, finish_reason, seed}`);
real PNG/JPEG/WebP images at the size the endpoint implies, with content derived from the seed; GLB for
Stable Fast 3D; the asynchronous submit/poll pattern with a number of pending polls; a request log.

Failures are chosen per request with the `X-Fake-Scenario` header, a comma-separated list of:
    moderation      403 content_moderation (input refused, not charged)
    filtered        200 with finish reason CONTENT_FILTERED and a blurred image
    invalid         422
    too_large       413
    credits         402 (the real code for an empty account is unconfirmed)
    ratelimit       429 with `Retry-After: 0` on every call; `ratelimit:N` only on the first N such calls
    lockout         429 and a lock-out of the key for `lockout_seconds` (every call 429, no Retry-After)
    error500        500 on every call; `error500:N` only on the first N such calls
    pending:N       an async job stays in progress for N polls (instead of `pending_polls`)
    never           an async job never finishes
"""

import base64
import io
import json
import math
import random
import struct
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from studio_providers.testing.server import requested_scenarios

MAX_BODY = 10 * 1024 * 1024
MAX_SEED = 4294967294
ALL_FORMATS = ("png", "jpeg", "webp")
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STYLE_PRESETS = (
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
)
SD3_MODELS = (
    "sd3.5-large",
    "sd3.5-large-turbo",
    "sd3.5-medium",
    "sd3-large",
    "sd3-large-turbo",
    "sd3-medium",
)
CREATIVE_PATH = "stable-image/upscale/creative"
MEGAPIXEL = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Number:
    low: float
    high: float
    integer: bool = False


@dataclass(frozen=True, slots=True)
class ImageRule:
    min_side: int = 64
    max_side: int | None = None
    min_pixels: int = 4096
    max_pixels: int | None = None
    max_aspect: float | None = None


EDIT_IMAGE = ImageRule(max_pixels=9_437_184)
EDIT_IMAGE_ASPECT = ImageRule(max_pixels=9_437_184, max_aspect=2.5)
ANY_IMAGE = ImageRule(min_side=1, min_pixels=1)


@dataclass(frozen=True, slots=True)
class Parsed:
    fields: dict[str, str]
    images: dict[str, Image.Image]
    seed: int
    output_format: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    required: tuple[str, ...]
    render: Callable[[Parsed], Image.Image] | None  # None: Stable Fast 3D (GLB)
    files: dict[str, ImageRule] = field(default_factory=dict)
    numbers: dict[str, Number] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    formats: tuple[str, ...] = ALL_FORMATS
    check: Callable[[dict[str, str], dict[str, bytes]], list[str]] | None = None
    asynchronous: bool = False


# -- images -------------------------------------------------------------------------------------------


def pattern(seed: int, size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A smooth colour field that depends only on the seed: 4x4 random colours, upsampled."""
    rng = random.Random(seed)
    small = Image.new("RGB", (4, 4))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(16)])
    return small.resize(size, Image.Resampling.BICUBIC).convert(mode)


def size_for_ratio(ratio: str, megapixels: float) -> tuple[int, int]:
    w, h = (int(part) for part in ratio.split(":"))
    pixels = megapixels * MEGAPIXEL
    return (
        max(64, round(math.sqrt(pixels * w / h) / 64) * 64),
        max(64, round(math.sqrt(pixels * h / w) / 64) * 64),
    )


def scaled_to(image: Image.Image, megapixels: float) -> tuple[int, int]:
    scale = math.sqrt(megapixels * MEGAPIXEL / (image.width * image.height))
    return max(1, round(image.width * scale)), max(1, round(image.height * scale))


def encode(image: Image.Image, output_format: str) -> bytes:
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=85)
    elif output_format == "webp":
        image.save(buffer, "WEBP", quality=80, method=0)
    else:
        image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def blurred(image: Image.Image) -> Image.Image:
    small = image.resize((max(1, image.width // 32), max(1, image.height // 32)), Image.Resampling.BOX)
    return small.resize(image.size, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(2))


def _tinted(source: Image.Image, seed: int, amount: float = 0.35) -> Image.Image:
    base = source.convert("RGB")
    return Image.blend(base, pattern(seed, base.size), amount)


def _generate(megapixels: float) -> Callable[[Parsed], Image.Image]:
    def render(p: Parsed) -> Image.Image:
        return pattern(p.seed, size_for_ratio(p.fields.get("aspect_ratio", "1:1"), megapixels))

    return render


def _sd3(p: Parsed) -> Image.Image:
    if "image" in p.images:  # image-to-image keeps the input's shape at about 1 MP
        return _tinted(p.images["image"].resize(scaled_to(p.images["image"], 1)), p.seed)
    return _generate(1)(p)


def _masked(p: Parsed) -> Image.Image:
    image = p.images["image"].convert("RGB")
    if "mask" in p.images:
        mask = p.images["mask"].convert("L").resize(image.size)
    elif "A" in p.images["image"].getbands():
        mask = ImageOps.invert(p.images["image"].getchannel("A"))
    else:
        return _tinted(image, p.seed)
    return Image.composite(pattern(p.seed, image.size), image, mask)


def _same_size(p: Parsed) -> Image.Image:
    return _tinted(p.images["image"], p.seed)


def _outpaint(p: Parsed) -> Image.Image:
    image = p.images["image"].convert("RGB")
    left, right, up, down = (int(p.fields.get(name, 0)) for name in ("left", "right", "up", "down"))
    canvas = pattern(p.seed, (image.width + left + right, image.height + up + down))
    canvas.paste(image, (left, up))
    return canvas


def _cutout(p: Parsed) -> Image.Image:
    image = p.images["image"].convert("RGBA")
    alpha = Image.new("L", image.size, 0)
    w, h = image.size
    ImageDraw.Draw(alpha).ellipse((w * 0.15, h * 0.1, w * 0.85, h * 0.9), fill=255)
    image.putalpha(alpha)
    return image


def _relight(p: Parsed) -> Image.Image:
    return _tinted(p.images["subject_image"], p.seed, 0.5)


def _upscale_fast(p: Parsed) -> Image.Image:
    image = p.images["image"]
    return image.convert("RGB").resize((image.width * 4, image.height * 4), Image.Resampling.BICUBIC)


def _upscale_4mp(p: Parsed) -> Image.Image:
    image = p.images["image"].convert("RGB")
    return _tinted(image.resize(scaled_to(image, 4), Image.Resampling.BICUBIC), p.seed, 0.1)


def _style_transfer(p: Parsed) -> Image.Image:
    init = p.images["init_image"].convert("RGB")
    return Image.blend(init, p.images["style_image"].convert("RGB").resize(init.size), 0.4)


def make_glb(seed: int, extras: dict[str, Any] | None = None) -> bytes:
    """A small valid binary glTF 2.0: 12-byte header, a JSON chunk and a BIN chunk holding one triangle."""
    rng = random.Random(seed)
    apex = 0.5 + rng.random() / 2
    positions = struct.pack("<9f", 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, apex, 0.0)
    document = {
        "asset": {
            "version": "2.0",
            "generator": "fake-stability-sf3d",
            "extras": {"seed": seed, **(extras or {})},
        },
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "mode": 4}]}],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": 3,
                "type": "VEC3",
                "min": [0.0, 0.0, 0.0],
                "max": [1.0, apex, 0.0],
            }
        ],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions), "target": 34962}],
        "buffers": [{"byteLength": len(positions)}],
    }
    json_chunk = json.dumps(document, separators=(",", ":")).encode()
    json_chunk += b" " * (-len(json_chunk) % 4)
    bin_chunk = positions + b"\0" * (-len(positions) % 4)
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    return b"".join(
        (
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(json_chunk), b"JSON"),
            json_chunk,
            struct.pack("<I4s", len(bin_chunk), b"BIN\0"),
            bin_chunk,
        )
    )


# -- endpoint rules ---------------------------------------------------------------------------------------


def _strength_with_image(fields: dict[str, str], files: dict[str, bytes]) -> list[str]:
    return (
        ["strength: is required when image is provided"]
        if "image" in files and "strength" not in fields
        else []
    )


def _sd3_mode(fields: dict[str, str], files: dict[str, bytes]) -> list[str]:
    if fields.get("mode", "text-to-image") == "image-to-image":
        return [
            f"{name}: is required for image-to-image"
            for name in ("image", "strength")
            if name not in files and name not in fields
        ]
    errors = ["image: only allowed with mode image-to-image"] if "image" in files else []
    return errors + (["strength: only allowed with mode image-to-image"] if "strength" in fields else [])


def _outpaint_direction(fields: dict[str, str], files: dict[str, bytes]) -> list[str]:
    if any(float(fields.get(name) or 0) != 0 for name in ("left", "right", "up", "down")):
        return []
    return ["left/right/up/down: at least one must be greater than 0"]


def _relight_rules(fields: dict[str, str], files: dict[str, bytes]) -> list[str]:
    errors = []
    if not fields.get("background_prompt") and "background_reference" not in files:
        errors.append("background_prompt: background_prompt or background_reference is required")
    if (
        "light_source_strength" in fields
        and "light_reference" not in files
        and "light_source_direction" not in fields
    ):
        errors.append("light_source_strength: only valid with light_reference or light_source_direction")
    return errors


_UNIT = Number(0, 1)
_COMMON_ENUMS = {"style_preset": STYLE_PRESETS}

ENDPOINTS: dict[str, Endpoint] = {
    "stable-image/generate/core": Endpoint(
        ("prompt",), _generate(1.5), enums={"aspect_ratio": ASPECT_RATIOS, **_COMMON_ENUMS}
    ),
    "stable-image/generate/ultra": Endpoint(
        ("prompt",),
        _generate(1),
        files={"image": ImageRule(max_side=16384)},
        numbers={"strength": _UNIT},
        enums={"aspect_ratio": ASPECT_RATIOS, **_COMMON_ENUMS},
        check=_strength_with_image,
    ),
    "stable-image/generate/sd3": Endpoint(
        ("prompt",),
        _sd3,
        files={"image": ImageRule(min_pixels=1)},
        numbers={"strength": _UNIT, "cfg_scale": Number(1, 10)},
        enums={
            "mode": ("text-to-image", "image-to-image"),
            "model": SD3_MODELS,
            "aspect_ratio": ASPECT_RATIOS,
            **_COMMON_ENUMS,
        },
        formats=("png", "jpeg"),
        check=_sd3_mode,
    ),
    "stable-image/edit/erase": Endpoint(
        ("image",),
        _masked,
        files={"image": EDIT_IMAGE, "mask": ANY_IMAGE},
        numbers={"grow_mask": Number(0, 20)},
    ),
    "stable-image/edit/inpaint": Endpoint(
        ("image", "prompt"),
        _masked,
        files={"image": EDIT_IMAGE, "mask": ANY_IMAGE},
        numbers={"grow_mask": Number(0, 100)},
        enums=_COMMON_ENUMS,
    ),
    "stable-image/edit/outpaint": Endpoint(
        ("image",),
        _outpaint,
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={
            **{d: Number(0, 2000, integer=True) for d in ("left", "right", "up", "down")},
            "creativity": _UNIT,
        },
        enums=_COMMON_ENUMS,
        check=_outpaint_direction,
    ),
    "stable-image/edit/search-and-replace": Endpoint(
        ("image", "prompt", "search_prompt"),
        _same_size,
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={"grow_mask": Number(0, 20)},
        enums=_COMMON_ENUMS,
    ),
    "stable-image/edit/search-and-recolor": Endpoint(
        ("image", "prompt", "select_prompt"),
        _same_size,
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={"grow_mask": Number(0, 20)},
        enums=_COMMON_ENUMS,
    ),
    "stable-image/edit/remove-background": Endpoint(
        ("image",), _cutout, files={"image": ImageRule(max_pixels=4_194_304)}, formats=("png", "webp")
    ),
    "stable-image/edit/replace-background-and-relight": Endpoint(
        ("subject_image",),
        _relight,
        files={
            "subject_image": EDIT_IMAGE_ASPECT,
            "background_reference": EDIT_IMAGE,
            "light_reference": EDIT_IMAGE,
        },
        numbers={
            "preserve_original_subject": _UNIT,
            "original_background_depth": _UNIT,
            "light_source_strength": _UNIT,
        },
        enums={
            "keep_original_background": ("true", "false"),
            "light_source_direction": ("left", "right", "above", "below"),
        },
        check=_relight_rules,
        asynchronous=True,
    ),
    "stable-image/upscale/fast": Endpoint(
        ("image",),
        _upscale_fast,
        files={"image": ImageRule(min_side=32, max_side=1536, min_pixels=1024, max_pixels=1_048_576)},
    ),
    "stable-image/upscale/conservative": Endpoint(
        ("image", "prompt"),
        _upscale_4mp,
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={"creativity": Number(0.2, 0.5)},
    ),
    CREATIVE_PATH: Endpoint(
        ("image", "prompt"),
        _upscale_4mp,
        files={"image": ImageRule(max_pixels=1_048_576)},
        numbers={"creativity": Number(0.1, 0.5)},
        enums=_COMMON_ENUMS,
        asynchronous=True,
    ),
    "stable-image/control/sketch": Endpoint(
        ("image", "prompt"),
        _same_size,
        files={"image": ImageRule(max_pixels=9_437_184, max_aspect=2.5)},
        numbers={"control_strength": _UNIT},
        enums=_COMMON_ENUMS,
    ),
    "stable-image/control/structure": Endpoint(
        ("image", "prompt"),
        _same_size,
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={"control_strength": _UNIT},
        enums=_COMMON_ENUMS,
    ),
    "stable-image/control/style": Endpoint(
        ("image", "prompt"),
        _generate(1),
        files={"image": EDIT_IMAGE_ASPECT},
        numbers={"fidelity": _UNIT},
        enums={"aspect_ratio": ASPECT_RATIOS, **_COMMON_ENUMS},
    ),
    "stable-image/control/style-transfer": Endpoint(
        ("init_image", "style_image"),
        _style_transfer,
        files={"init_image": EDIT_IMAGE_ASPECT, "style_image": EDIT_IMAGE_ASPECT},
        numbers={"style_strength": _UNIT, "composition_fidelity": _UNIT, "change_strength": Number(0.1, 1)},
        enums=_COMMON_ENUMS,
    ),
    "3d/stable-fast-3d": Endpoint(
        ("image",),
        None,
        files={"image": ImageRule(max_pixels=4_194_304)},
        numbers={"foreground_ratio": Number(0.1, 1), "vertex_count": Number(-1, 20000, integer=True)},
        enums={"texture_resolution": ("512", "1024", "2048"), "remesh": ("none", "triangle", "quad")},
        formats=(),
    ),
}
_TEXT_NUMBERS = {"seed": Number(0, MAX_SEED, integer=True)}


def _number_error(name: str, raw: str, rule: Number) -> str | None:
    try:
        value = float(raw)
    except ValueError:
        return f"{name}: must be a number"
    if rule.integer and value != int(value):
        return f"{name}: must be an integer"
    if not rule.low <= value <= rule.high:
        return f"{name}: must be between {rule.low:g} and {rule.high:g}"
    return None


def _image_errors(name: str, data: bytes, rule: ImageRule, images: dict[str, Image.Image]) -> list[str]:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:
        return [f"{name}: could not be decoded as an image (jpeg, png or webp)"]
    if (image.format or "").upper() not in ("PNG", "JPEG", "WEBP"):
        return [f"{name}: must be jpeg, png or webp"]
    w, h = image.size
    errors = []
    if min(w, h) < rule.min_side or (rule.max_side and max(w, h) > rule.max_side):
        errors.append(
            f"{name}: each side must be between {rule.min_side} and {rule.max_side or 'any'} pixels"
        )
    if w * h < rule.min_pixels or (rule.max_pixels and w * h > rule.max_pixels):
        errors.append(
            f"{name}: total pixels must be between {rule.min_pixels} and {rule.max_pixels or 'any'}"
        )
    if rule.max_aspect and max(w / h, h / w) > rule.max_aspect:
        errors.append(f"{name}: aspect ratio must be between 1:{rule.max_aspect} and {rule.max_aspect}:1")
    images[name] = image
    return errors


def validate(endpoint: Endpoint, fields: dict[str, str], files: dict[str, bytes]) -> tuple[list[str], dict]:
    errors: list[str] = []
    images: dict[str, Image.Image] = {}
    for name in endpoint.required:
        if name in endpoint.files:
            if name not in files:
                errors.append(f"{name}: is required" + (" (as a file part)" if name in fields else ""))
        elif not fields.get(name):
            errors.append(f"{name}: is required")
    for name in fields:
        if name in endpoint.files:
            errors.append(f"{name}: must be sent as a file, not a text field")
    for name in files:
        if name not in endpoint.files:
            errors.append(f"{name}: must be a text field, not a file")
    for name in (
        "prompt",
        "negative_prompt",
        "background_prompt",
        "foreground_prompt",
        "search_prompt",
        "select_prompt",
    ):
        if len(fields.get(name, "")) > 10000:
            errors.append(f"{name}: must be at most 10000 characters")
    for name, rule in {**_TEXT_NUMBERS, **endpoint.numbers}.items():
        if name in fields and (error := _number_error(name, fields[name], rule)):
            errors.append(error)
    for name, allowed in endpoint.enums.items():
        if name in fields and fields[name] not in allowed:
            errors.append(f"{name}: must be one of {', '.join(allowed)}")
    if endpoint.formats and fields.get("output_format", "png") not in endpoint.formats:
        errors.append(f"output_format: must be one of {', '.join(endpoint.formats)}")
    for name, rule in endpoint.files.items():
        if name in files:
            errors.extend(_image_errors(name, files[name], rule, images))
    if not errors and endpoint.check:
        errors.extend(endpoint.check(fields, files))
    return errors, images


# -- the app ------------------------------------------------------------------------------------------------


@dataclass
class Job:
    key: str
    path: str
    created: float
    polls_left: float
    result: tuple[bytes, str, int, str]  # data, output format, seed, finish reason


def _error(status: int, name: str, errors: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"id": uuid.uuid4().hex, "name": name, "errors": errors}, status_code=status, headers=headers
    )


def _image_response(
    request: Request, data: bytes, output_format: str, seed: int, finish_reason: str, request_id: str
) -> Response:
    media = f"image/{output_format}"
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"image": base64.b64encode(data).decode(), "finish_reason": finish_reason, "seed": seed},
            media_type=f"application/json; type={media}",
            headers={"x-request-id": request_id},
        )
    return Response(
        data,
        media_type=media,
        headers={"finish-reason": finish_reason, "seed": str(seed), "x-request-id": request_id},
    )


def create_fake_stability(
    api_key: str = "sk-test",
    pending_polls: int = 2,
    *,
    other_keys: tuple[str, ...] = (),
    auth_status: int = 401,
    result_ttl: float = 24 * 3600,
    lockout_seconds: float = 60.0,
) -> FastAPI:
    """The fake Stability API. `app.state.requests` logs every request; `app.state.reset()` clears it and all
    counters, jobs and lock-outs."""
    app = FastAPI(title="fake Stability AI v2beta")
    keys = {api_key, *other_keys}
    state = app.state
    state.requests = []
    state.jobs = {}
    state.counters = {}
    state.locked_until = {}
    state.pending_polls = pending_polls

    def reset() -> None:
        state.requests.clear()
        state.jobs.clear()
        state.counters.clear()
        state.locked_until.clear()

    state.reset = reset

    def log(request: Request) -> dict:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "headers": {k: v for k, v in request.headers.items() if k != "authorization"},
            "fields": {},
            "files": {},
            "status": None,
        }
        state.requests.append(entry)
        return entry

    def caller_key(request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token in keys else None

    def fires(token: str, arg: str | None) -> bool:
        state.counters[token] = state.counters.get(token, 0) + 1
        return arg is None or state.counters[token] <= int(arg)

    def gatekeeper(request: Request, key: str | None, scenarios: dict[str, str | None]) -> Response | None:
        """Answers that come before the body is looked at: auth, rate limits, server errors."""
        if key is None:
            return _error(auth_status, "unauthorized", ["authorization: missing or invalid API key"])
        now = time.monotonic()
        locked = [f"You have exceeded the rate limit; locked out for {lockout_seconds:g}s"]
        if state.locked_until.get(key, 0) > now:
            return _error(429, "rate_limit_exceeded", locked)
        if "lockout" in scenarios:
            state.locked_until[key] = now + lockout_seconds
            return _error(429, "rate_limit_exceeded", locked)
        limit = scenarios.get("ratelimit")
        if "ratelimit" in scenarios and fires(f"ratelimit:{limit}", limit):
            return _error(
                429,
                "rate_limit_exceeded",
                ["You have exceeded 150 requests in 10 seconds"],
                headers={"retry-after": "0"},
            )
        if "error500" in scenarios and fires("error500:" + str(scenarios["error500"]), scenarios["error500"]):
            return _error(500, "internal_error", ["An unexpected server error occurred"])
        if "credits" in scenarios:
            return _error(402, "payment_required", ["Your account has insufficient credits"])
        return None

    def finish(entry: dict, response: Response) -> Response:
        entry["status"] = response.status_code
        return response

    @app.post("/v2beta/{path:path}")
    async def submit(path: str, request: Request) -> Response:
        entry = log(request)
        scenarios = requested_scenarios(request)
        body = await request.body()
        entry["size"] = len(body)
        if len(body) > MAX_BODY or "too_large" in scenarios:
            return finish(entry, _error(413, "payload_too_large", ["body: request must be at most 10 MiB"]))
        key = caller_key(request)
        if (early := gatekeeper(request, key, scenarios)) is not None:
            return finish(entry, early)
        endpoint = ENDPOINTS.get(path)
        if endpoint is None:
            return finish(entry, _error(404, "not_found", [f"path: no endpoint /v2beta/{path}"]))
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return finish(entry, _error(400, "bad_request", ["content-type: must be multipart/form-data"]))
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        form = await request.form(max_part_size=MAX_BODY)
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                files[name] = data
                entry["files"][name] = {
                    "filename": value.filename,
                    "size": len(data),
                    "content_type": value.content_type,
                }
            else:
                fields[name] = value
                entry["fields"][name] = value
        await form.close()
        errors, images = await run_in_threadpool(validate, endpoint, fields, files)
        if errors:
            return finish(entry, _error(400, "bad_request", errors))
        if "invalid" in scenarios:
            return finish(entry, _error(422, "unprocessable_entity", ["request: rejected by the service"]))
        if "moderation" in scenarios:
            return finish(
                entry,
                _error(
                    403,
                    "content_moderation",
                    [
                        "Your request was flagged by our content moderation system, as a result your "
                        "request was denied and you were not charged."
                    ],
                ),
            )
        # Seed 0 means "pick one": derive it from the request so runs are repeatable.
        seed = (
            int(float(fields.get("seed") or 0))
            or zlib.crc32(f"{path}|{fields.get('prompt', '')}".encode()) % MAX_SEED + 1
        )
        finish_reason = "CONTENT_FILTERED" if "filtered" in scenarios else "SUCCESS"
        request_id = uuid.uuid4().hex
        if endpoint.render is None:
            options = endpoint.enums.keys() | endpoint.numbers.keys()
            extras = {name: fields[name] for name in options if name in fields}
            return finish(
                entry,
                Response(
                    make_glb(seed, extras),
                    media_type="model/gltf-binary",
                    headers={"x-request-id": request_id},
                ),
            )
        output_format = fields.get("output_format", "png")
        parsed = Parsed(fields, images, seed, output_format)

        def render() -> bytes:
            image = endpoint.render(parsed)
            return encode(blurred(image) if finish_reason == "CONTENT_FILTERED" else image, output_format)

        data = await run_in_threadpool(render)
        if endpoint.asynchronous:
            generation_id = uuid.uuid4().hex + uuid.uuid4().hex
            polls = (
                math.inf
                if "never" in scenarios
                else int(scenarios["pending"])
                if scenarios.get("pending")
                else state.pending_polls
            )
            state.jobs[generation_id] = Job(
                key, path, time.monotonic(), polls, (data, output_format, seed, finish_reason)
            )
            return finish(entry, JSONResponse({"id": generation_id}))
        return finish(entry, _image_response(request, data, output_format, seed, finish_reason, request_id))

    async def poll(request: Request, generation_id: str, legacy: bool) -> Response:
        entry = log(request)
        key = caller_key(request)
        if (early := gatekeeper(request, key, requested_scenarios(request))) is not None:
            return finish(entry, early)
        job = state.jobs.get(generation_id)
        if (
            job is None
            or job.key != key
            or time.monotonic() - job.created > result_ttl
            or (legacy and job.path != CREATIVE_PATH)
        ):
            return finish(
                entry, _error(404, "not_found", [f"id: {generation_id} was not found or has expired"])
            )
        if job.polls_left > 0:
            job.polls_left -= 1
            return finish(
                entry, JSONResponse({"id": generation_id, "status": "in-progress"}, status_code=202)
            )
        data, output_format, seed, finish_reason = job.result
        return finish(
            entry, _image_response(request, data, output_format, seed, finish_reason, uuid.uuid4().hex)
        )

    @app.get("/v2beta/results/{generation_id}")
    async def results(generation_id: str, request: Request) -> Response:
        return await poll(request, generation_id, legacy=False)

    @app.get("/v2beta/stable-image/upscale/creative/result/{generation_id}")
    async def creative_result(generation_id: str, request: Request) -> Response:
        return await poll(request, generation_id, legacy=True)

    return app
