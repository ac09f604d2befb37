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
task is a retryable, uncharged error. The route table and each model's inputs are in wavespeed_models.py.
"""

import asyncio
import re

import httpx

from studio_common import audio_probe
from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest
from studio_providers.http import (
    RemoteProvider,
    exhausted_error,
    json_object,
    send_with_retries,
    status_error,
)
from studio_providers.wavespeed_models import (
    AVATAR_SECONDS_PER_SECOND,
    ROUTES,
    VIDEO_RESOLUTIONS,
    Route,
    build_body,
    decode_base64_output,
    image_type,
    integer_field,
)

RUNNING = ("created", "processing")
_PREDICTION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


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

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        route, body = build_body(request)
        audio_seconds = None
        if route.output == "avatar":
            try:
                audio_seconds = await asyncio.to_thread(audio_probe.audio_duration, request.inputs["audio"])
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
            found = image_type(data)
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
            duration = float(integer_field(request.params.get("duration", 5), "duration"))
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
