"""WaveSpeedAI REST v3 adapter: Ideogram v3 and Qwen-Image stills, WAN 2.5 image-to-video and
InfiniteTalk talking avatars.

Every model runs as a task: `POST /api/v3/{model path}` with the model's inputs as flat JSON answers
`{code, message, data: {id, status, urls.get}}`, and the result is polled from
`GET /api/v3/predictions/{id}/result` until it is completed, failed, cancelled or timed out. Media inputs
go in as `data:` URIs. Stills ask for base64 output (no download round trip); videos come back as a URL
that is downloaded without the API key.

A submit is never repeated after it may have reached WaveSpeed (the task could exist already and be
billed); only a 429, which refuses the request unprocessed, and errors before sending are retried. Polls
and downloads are plain GETs and are retried on 429/5xx. WaveSpeed refunds failed tasks, so a failed
task is a retryable, uncharged error.
"""

import asyncio
import base64
import binascii
import io
import math
import re
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.http import (
    RemoteProvider,
    exhausted_error,
    json_object,
    send_with_retries,
    status_error,
)
from studio_providers.imaging import nearest_ratio
from studio_providers.local import media

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

RUNNING = ("created", "processing")
_PREDICTION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
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
    mime = "audio/mpeg" if media.sniff_audio(data) == "mp3" else "audio/wav"
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


def _image_type(data: bytes) -> tuple[str, int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    types = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
    return (types[kind], width, height) if kind in types else None


def _integer(value: Any, name: str) -> int:
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


class WaveSpeedProvider(RemoteProvider):
    name = "wavespeed"
    default_base_url = "https://api.wavespeed.ai"
    poll_interval = 2.0
    poll_timeout = 600.0

    # -- capability -----------------------------------------------------------------------------------

    def supports(self, kind: str, model: str) -> bool:
        route = ROUTES.get(model)
        return route is not None and route.kind == kind

    # -- request building -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "authorization": f"Bearer {self._api_key}",
            "accept": "application/json",
            "x-client-name": "image-studio",
        }

    def build_body(self, request: ProviderRequest) -> tuple[Route, dict[str, Any]]:
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
                body["seed"] = self._seed(request.seed)
                body["output_format"] = (
                    request.output_format if request.output_format in QWEN_FORMATS else "png"
                )
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
            body["prompt"] = request.prompt or self._default_video_prompt(params.get("motion"))
            if request.negative_prompt:
                body["negative_prompt"] = request.negative_prompt
            if audio:
                body["audio"] = audio_data_uri(audio)
            body["resolution"] = route.resolution
            duration = _integer(params.get("duration", 5), "duration")
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
        body["seed"] = self._seed(request.seed)
        return route, body

    @staticmethod
    def _default_video_prompt(motion: Any) -> str:
        """WAN 2.5 requires a prompt; without one, describe the camera move the studio offers."""
        move = CAMERA_MOVES.get(motion, CAMERA_MOVES["zoom_in"])
        return f"{move}, natural subtle motion, keep the scene as is"

    @staticmethod
    def _seed(seed: int) -> int:
        return seed if 0 <= seed <= QWEN_MAX_SEED else seed % (QWEN_MAX_SEED + 1)

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        route, body = self.build_body(request)
        audio_seconds = None
        if route.output == "avatar":
            try:
                audio_seconds = await asyncio.to_thread(media.audio_duration, request.inputs["audio"])
            except ValueError as exc:
                raise ProviderError("invalid_request", f"wavespeed: {exc}") from None
        response = await send_with_retries(
            self._client,
            "POST",
            f"{self._base_url}/api/v3/{route.path}",
            policy=self._policy,
            idempotent=False,
            provider=self.name,
            json=body,
            headers=self._headers(),
        )
        try:
            if response.status_code != 200:
                raise self._error(response)
            envelope = json_object(response)
        finally:
            await response.aclose()
        data = envelope.get("data")
        code = envelope.get("code")
        if isinstance(code, int) and code != 200 and not (isinstance(data, dict) and data.get("id")):
            raise status_error(self.name, code, self._clean(str(envelope.get("message") or "")) or None)
        if not isinstance(data, dict):
            raise ProviderError(
                "provider_error", "wavespeed: the submit answer has no task", retryable=True, charged=True
            )
        prediction_id = data.get("id")
        if not isinstance(prediction_id, str) or not _PREDICTION_ID.fullmatch(prediction_id):
            raise ProviderError(
                "provider_error",
                "wavespeed: the submit answer has no valid task id",
                retryable=True,
                charged=True,
            )
        poll_timeout = self._poll_timeout
        if audio_seconds is not None:
            poll_timeout = max(poll_timeout, audio_seconds * AVATAR_SECONDS_PER_SECOND)
        prediction = (
            data
            if data.get("status") not in (*RUNNING, None)
            else await self._poll_task(prediction_id, poll_timeout)
        )
        return await self._finish(route, request, prediction, prediction_id, audio_seconds)

    async def _poll_task(self, prediction_id: str, poll_timeout: float) -> dict:
        async def answer(response: httpx.Response) -> dict | None:
            try:
                if response.status_code == 404:
                    raise ProviderError(
                        "not_found",
                        f"wavespeed: task {prediction_id} is unknown{self._detail(response, ': ')}",
                        retryable=True,
                        status=404,
                    )
                if response.status_code != 200:
                    error = self._error(response)
                    error.charged = True  # the task exists and may still finish
                    raise error
                data = json_object(response).get("data")
            finally:
                await response.aclose()
            if not isinstance(data, dict) or data.get("status") in (*RUNNING, None):
                return None  # no task in the answer, or still running: ask again until the deadline
            return data

        return await self._poll(
            f"{self._base_url}/api/v3/predictions/{prediction_id}/result",
            self._headers(),
            f"task {prediction_id} not finished",
            answer,
            poll_timeout,
        )

    async def _finish(
        self,
        route: Route,
        request: ProviderRequest,
        prediction: dict,
        prediction_id: str,
        audio_seconds: float | None,
    ) -> ProviderOutput:
        status = prediction.get("status")
        error = self._clean(str(prediction.get("error") or ""))
        if status == "failed":
            raise ProviderError(
                "provider_failed",
                error or f"wavespeed: task {prediction_id} failed",
                retryable=True,
                charged=False,
            )
        if status == "cancelled":
            raise ProviderError(
                "provider_failed",
                error or f"wavespeed: task {prediction_id} was cancelled",
                retryable=True,
                charged=False,
            )
        if status == "timeout":
            raise ProviderError(
                "timeout",
                error or f"wavespeed: task {prediction_id} timed out on the server",
                retryable=True,
                charged=False,
            )
        if status != "completed":
            raise ProviderError(
                "provider_error",
                f"wavespeed: task {prediction_id} ended as {status!r}",
                retryable=True,
                charged=True,
            )
        nsfw = prediction.get("has_nsfw_contents")
        if (isinstance(nsfw, list) and any(nsfw)) or nsfw is True:
            raise ProviderError(
                "content_filtered",
                "wavespeed: the output was flagged as unsafe content",
                retryable=False,
                charged=True,
            )
        outputs = prediction.get("outputs")
        if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], str) or not outputs[0]:
            raise ProviderError(
                "provider_error",
                f"wavespeed: task {prediction_id} completed without output",
                retryable=True,
                charged=True,
            )
        data = await self._output_bytes(outputs[0])
        if route.output == "image":
            found = _image_type(data)
            if found is None:
                raise ProviderError(
                    "provider_error",
                    "wavespeed: the output is not a readable image",
                    retryable=True,
                    charged=True,
                )
            content_type, width, height = found
            # Only Qwen-Image takes a seed; Ideogram picks its own.
            return ProviderOutput(
                data, content_type, width, height, request.seed if request.model == "qwen-image" else None
            )
        if data[4:8] != b"ftyp":
            raise ProviderError(
                "provider_error", "wavespeed: the output is not an MP4 video", retryable=True, charged=True
            )
        width, height = VIDEO_RESOLUTIONS[route.resolution]
        if route.output == "avatar":
            duration = audio_seconds
        else:
            duration = float(_integer(request.params.get("duration", 5), "duration"))
        return ProviderOutput(data, "video/mp4", width, height, request.seed, duration)

    async def _output_bytes(self, output: str) -> bytes:
        if not output.startswith(("http://", "https://")):
            try:
                data = decode_base64_output(output)
            except ValueError:
                raise ProviderError(
                    "provider_error",
                    "wavespeed: the output is neither a URL nor base64",
                    retryable=True,
                    charged=True,
                ) from None
            if not data:
                raise ProviderError("provider_error", "wavespeed: empty output", retryable=True, charged=True)
            return data
        # Output URLs live on a CDN: no API key goes with this request.
        response = await send_with_retries(
            self._client, "GET", output, policy=self._policy, idempotent=True, provider=self.name
        )
        try:
            if response.status_code != 200:
                error = exhausted_error(response, self.name, f"output download HTTP {response.status_code}")
                error.retryable, error.charged = True, True
                raise error
            data = await response.aread()
        finally:
            await response.aclose()
        if not data:
            raise ProviderError(
                "provider_error", "wavespeed: empty output download", retryable=True, charged=True
            )
        return data

    # -- responses ------------------------------------------------------------------------------------

    def _detail(self, response: httpx.Response, prefix: str = "") -> str:
        body = json_object(response)
        text = body.get("message") or body.get("error") or ""
        if not isinstance(text, str):
            text = str(text)
        text = self._clean(text)
        return prefix + text if text else ""

    def _error(self, response: httpx.Response) -> ProviderError:
        return status_error(self.name, response.status_code, self._detail(response) or None)
