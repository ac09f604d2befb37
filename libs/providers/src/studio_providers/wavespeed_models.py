"""WaveSpeed's models as the adapter calls them: the route table (model id → path, kind, output) and the
flat JSON inputs each model takes, built from a ProviderRequest; media go in as `data:` URIs and stills
come back as base64. No I/O: the HTTP side is in wavespeed.py."""

import base64
import binascii
import io
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image

from studio_common import audio_probe
from studio_common.content_types import AUDIO_TYPES, image_content_type
from studio_providers.base import ProviderError, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import nearest_ratio

IDEOGRAM_SPEEDS = ("turbo", "balanced", "quality")
IDEOGRAM_ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
IDEOGRAM_STYLES = ("Auto", "General", "Realistic", "Design")
QWEN_FORMATS = ("jpeg", "png", "webp")
QWEN_MIN_SIDE, QWEN_MAX_SIDE = 256, 1536
QWEN_MAX_SEED = 2_147_483_647
# Output frame sizes per resolution tier (16:9), as the studio's own video output uses them.
VIDEO_RESOLUTIONS = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}
WAN_RESOLUTIONS = ("480p", "720p", "1080p")
AVATAR_RESOLUTIONS = ("480p", "720p")
# InfiniteTalk needs roughly 10-30 s of wall time per second of speech: long avatars may poll longer.
AVATAR_SECONDS_PER_SECOND = 30.0

# The studio's camera moves, as words for WAN when the request has no prompt of its own.
CAMERA_MOVES = {
    "zoom_in": "slow camera push-in",
    "zoom_out": "slow camera pull-back",
    "pan_left": "slow camera pan to the left",
    "pan_right": "slow camera pan to the right",
    "ken_burns": "gentle Ken Burns drift",
}

_PNG, _JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8"


@dataclass(frozen=True, slots=True)
class Route:
    kind: str
    path: str  # model id under /api/v3/
    output: str  # "image" | "video" | "avatar"
    resolution: str | None = None


def _routes() -> dict[str, Route]:
    routes = {
        f"ideogram-v3-{speed}": Route("create", f"ideogram-ai/ideogram-v3-{speed}", "image")
        for speed in IDEOGRAM_SPEEDS
    }
    routes["qwen-image"] = Route("create", "wavespeed-ai/qwen-image/text-to-image", "image")
    routes.update(
        {
            f"wan-2.5-{res}": Route("transform.video", "alibaba/wan-2.5/image-to-video", "video", res)
            for res in WAN_RESOLUTIONS
        }
    )
    routes.update(
        {
            f"infinitetalk-{res}": Route("transform.avatar", "wavespeed-ai/infinitetalk", "avatar", res)
            for res in AVATAR_RESOLUTIONS
        }
    )
    return routes


ROUTES = _routes()


def nearest_ideogram_aspect_ratio(width: int, height: int) -> str:
    """The Ideogram aspect ratio closest to width:height."""
    return nearest_ratio(width, height, IDEOGRAM_ASPECT_RATIOS)


def qwen_size(width: int | None, height: int | None) -> str:
    """`"W*H"` for Qwen-Image: the requested shape scaled into 256-1536 per side (the worker fits the
    answer to the exact request afterwards). Without a size, 1024*1024."""
    if not width or not height:
        return "1024*1024"
    scale = 1.0
    if max(width, height) > QWEN_MAX_SIDE:
        scale = QWEN_MAX_SIDE / max(width, height)
    elif min(width, height) < QWEN_MIN_SIDE:
        scale = QWEN_MIN_SIDE / min(width, height)
    w, h = (min(QWEN_MAX_SIDE, max(QWEN_MIN_SIDE, round(side * scale))) for side in (width, height))
    return f"{w}*{h}"


def image_data_uri(data: bytes) -> str:
    if data.startswith(_JPEG):
        mime = "image/jpeg"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    else:
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def audio_data_uri(data: bytes) -> str:
    mime = AUDIO_TYPES[audio_probe.sniff_audio(data) or "wav"]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def decode_base64_output(value: str) -> bytes:
    """A base64 output entry, bare or as a `data:...;base64,` URI. ValueError when it is neither."""
    if value.startswith("data:"):
        header, _, value = value.partition(",")
        if not header.endswith(";base64"):
            raise ValueError("not a base64 data URI")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None


def image_type(data: bytes) -> tuple[str, int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    content_type = image_content_type(kind)
    return (content_type, width, height) if content_type else None


def integer_field(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ProviderError("invalid_request", f"wavespeed: {name} must be a whole number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProviderError(
            "invalid_request", f"wavespeed: {name} must be a whole number, not {value!r}"
        ) from None
    if not math.isfinite(number) or number != int(number):
        raise ProviderError("invalid_request", f"wavespeed: {name} must be a whole number, not {value!r}")
    return int(number)


def build_body(request: ProviderRequest) -> tuple[Route, dict[str, Any]]:
    """The model route and its flat JSON inputs. Raises ProviderError("invalid_request") for inputs
    the model cannot take, before anything is sent."""
    route = ROUTES.get(request.model)
    if route is None or route.kind != request.kind:
        raise UnsupportedOperation(f"wavespeed has no model {request.model!r} for {request.kind}")
    params = request.params
    body: dict[str, Any] = {}
    if route.output == "image":
        if request.prompt:
            body["prompt"] = request.prompt
        if request.model == "qwen-image":
            body["size"] = qwen_size(request.width, request.height)
            body["seed"] = _seed(request.seed)
            body["output_format"] = request.output_format if request.output_format in QWEN_FORMATS else "png"
        else:
            ratio = params.get("aspect_ratio")
            if ratio not in IDEOGRAM_ASPECT_RATIOS:
                ratio = (
                    nearest_ideogram_aspect_ratio(request.width, request.height)
                    if request.width and request.height
                    else "1:1"
                )
            body["aspect_ratio"] = ratio
            style = params.get("style")
            body["style"] = style if style in IDEOGRAM_STYLES else "Auto"
        body["enable_base64_output"] = True
        return route, body
    image = request.inputs.get("image")
    if not image:
        raise ProviderError("invalid_request", f"wavespeed: {request.model} needs an input image")
    body["image"] = image_data_uri(image)
    audio = request.inputs.get("audio")
    if route.output == "video":
        body["prompt"] = request.prompt or _default_video_prompt(params.get("motion"))
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        if audio:
            body["audio"] = audio_data_uri(audio)
        body["resolution"] = route.resolution
        duration = integer_field(params.get("duration", 5), "duration")
        if duration <= 0:
            raise ProviderError("invalid_request", "wavespeed: duration must be positive")
        body["duration"] = duration
        body["enable_prompt_expansion"] = bool(params.get("enable_prompt_expansion", False))
    else:
        if not audio:
            raise ProviderError("invalid_request", f"wavespeed: {request.model} needs speech audio")
        body["audio"] = audio_data_uri(audio)
        mask = request.inputs.get("mask")
        if mask:
            body["mask_image"] = image_data_uri(mask)
        if request.prompt:
            body["prompt"] = request.prompt
        body["resolution"] = route.resolution
    body["seed"] = _seed(request.seed)
    return route, body


def _default_video_prompt(motion: Any) -> str:
    """WAN 2.5 requires a prompt; without one, describe the camera move the studio offers."""
    move = CAMERA_MOVES.get(motion, CAMERA_MOVES["zoom_in"])
    return f"{move}, natural subtle motion, keep the scene as is"


def _seed(seed: int) -> int:
    return seed if 0 <= seed <= QWEN_MAX_SEED else seed % (QWEN_MAX_SEED + 1)
