"""Google Gemini API adapter: native image output from `gemini-2.5-flash-image` through generateContent.

One JSON POST to `/v1beta/models/{model}:generateContent` with the key in the `x-goog-api-key` header. The
prompt (and an optional reference image as inline base64 data) goes in as one user turn; the output shape is
asked for with `generationConfig.imageConfig.aspectRatio`. The answer carries the image as an `inlineData`
part. Safety blocks still come back as HTTP 200, so an answer without an image part is always a failure:
a blocked prompt, a blocked output, or a text-only reply.
"""

import base64
import re
from typing import Any

import httpx

from studio_common.images import sniff_content_type
from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.http import (
    STATUS_MEANINGS,
    RemoteProvider,
    StatusMeaning,
    make_timeout,
    retry_after_seconds,
    send_with_retries,
    status_error,
)
from studio_providers.imaging import nearest_ratio, probe_size

MODELS = ("gemini-2.5-flash-image",)
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "9:16", "16:9", "21:9")
# Image generation takes longer than a plain text answer.
GEMINI_TIMEOUT = make_timeout(read=120.0)
# finishReason values that mean the output was withheld by a safety or recitation check.
BLOCKED_FINISH_REASONS = frozenset(
    {
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "IMAGE_OTHER",
        "SAFETY",
        "PROHIBITED_CONTENT",
        "RECITATION",
        "BLOCKLIST",
        "SPII",
    }
)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)s\s*")
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_STATUS_OVERRIDES = {
    # The catalog's model is gone at Google: another provider may still serve the request.
    404: StatusMeaning("invalid_request", True, "gemini does not know the model"),
    413: StatusMeaning("invalid_request", False, "gemini rejected the request"),
}


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The Gemini aspect ratio closest to width:height."""
    return nearest_ratio(width, height, ASPECT_RATIOS)


def _mime_type(data: bytes) -> str:
    return sniff_content_type(data) or "application/octet-stream"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_body(response: httpx.Response) -> dict:
    """The `error` object of a Google RPC error body; some proxies wrap the body in a one-element list."""
    body = _json(response)
    if isinstance(body, list) and body:
        body = body[0]
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _details(error: dict, type_url: str) -> list[dict]:
    details = error.get("details")
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, dict) and d.get("@type") == type_url]


def retry_delay_seconds(response: httpx.Response) -> float | None:
    """How long the server asks us to wait: `RetryInfo.retryDelay` ("2s", "0.5s") in the error details,
    else a numeric `Retry-After` header."""
    for info in _details(_error_body(response), _RETRY_INFO):
        delay = info.get("retryDelay")
        match = _DURATION.fullmatch(delay) if isinstance(delay, str) else None
        if match:
            return float(match.group(1))
    return retry_after_seconds(response)


def _get(mapping: Any, camel: str, snake: str) -> Any:
    """A field of an answer, in the camelCase the API uses or the snake_case some proxies use."""
    if not isinstance(mapping, dict):
        return None
    value = mapping.get(camel)
    return mapping.get(snake) if value is None else value


class GeminiProvider(RemoteProvider):
    name = "gemini"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_timeout = GEMINI_TIMEOUT

    # -- capability -----------------------------------------------------------------------------------

    def supports(self, kind: str, model: str) -> bool:
        return kind == "create" and model in MODELS

    # -- request building -----------------------------------------------------------------------------

    def build_body(self, request: ProviderRequest) -> dict:
        """The generateContent body: one user turn holding the prompt and an optional reference image."""
        if not self.supports(request.kind, request.model):
            raise UnsupportedOperation(f"gemini has no model {request.model!r} for {request.kind}")
        text = request.prompt.strip()
        if request.negative_prompt.strip():
            text = f"{text} Avoid: {request.negative_prompt.strip()}".strip()
        parts: list[dict] = [{"text": text}]
        reference = request.inputs.get("image")
        if reference:
            parts.append(
                {
                    "inline_data": {
                        "mime_type": _mime_type(reference),
                        "data": base64.b64encode(reference).decode("ascii"),
                    }
                }
            )
        config: dict[str, Any] = {"responseModalities": ["IMAGE"]}
        aspect_ratio = request.params.get("aspect_ratio")
        if aspect_ratio not in ASPECT_RATIOS:
            aspect_ratio = (
                nearest_aspect_ratio(request.width, request.height)
                if request.width and request.height
                else None
            )
        if aspect_ratio:
            config["imageConfig"] = {"aspectRatio": aspect_ratio}
        return {"contents": [{"role": "user", "parts": parts}], "generationConfig": config}

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        body = self.build_body(request)
        url = f"{self._base_url}/v1beta/models/{request.model}:generateContent"
        # Google does not bill a request that ends in an error status, so 429 and 5xx are repeated.
        response = await send_with_retries(
            self._client,
            "POST",
            url,
            policy=self._policy,
            idempotent=False,
            statuses_safe=True,
            provider=self.name,
            delay_hint=retry_delay_seconds,
            json=body,
            headers={"x-goog-api-key": self._api_key, "accept": "application/json"},
        )
        try:
            if response.status_code != 200:
                raise self._error(response)
            return self._output(response)
        finally:
            await response.aclose()

    # -- responses ------------------------------------------------------------------------------------

    def _output(self, response: httpx.Response) -> ProviderOutput:
        body = _json(response)
        if not isinstance(body, dict):
            raise ProviderError("provider_error", "gemini: the answer is not JSON", retryable=True)
        candidates = body.get("candidates") or []
        if not isinstance(candidates, list):
            candidates = []
        feedback = _get(body, "promptFeedback", "prompt_feedback")
        block_reason = _get(feedback, "blockReason", "block_reason")
        if block_reason and not candidates:
            message = _get(feedback, "blockReasonMessage", "block_reason_message")
            raise ProviderError(
                "content_moderation",
                self._clean(
                    f"gemini refused the prompt ({block_reason})" + (f": {message}" if message else "")
                ),
                retryable=False,
                charged=False,
                status=response.status_code,
            )
        candidate = candidates[0] if candidates and isinstance(candidates[0], dict) else {}
        parts = _get(candidate.get("content"), "parts", "parts") or []
        texts: list[str] = []
        for part in parts if isinstance(parts, list) else []:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str) and not part.get("thought"):
                texts.append(part["text"])
            inline = _get(part, "inlineData", "inline_data")
            if not isinstance(inline, dict) or part.get("thought"):
                continue  # thought images are drafts, not the answer
            return self._image(inline)
        finish_reason = _get(candidate, "finishReason", "finish_reason")
        finish_message = _get(candidate, "finishMessage", "finish_message")
        if finish_reason in BLOCKED_FINISH_REASONS:
            raise ProviderError(
                "content_filtered",
                self._clean(
                    f"gemini withheld the image ({finish_reason})"
                    + (f": {finish_message}" if finish_message else "")
                ),
                retryable=False,
                charged=True,
                status=response.status_code,
            )
        reply = " ".join(t.strip() for t in texts if t.strip())
        reason = f" ({finish_reason})" if finish_reason else ""
        raise ProviderError(
            "no_image",
            self._clean(f"gemini answered without an image{reason}" + (f": {reply}" if reply else "")),
            retryable=True,
            charged=bool(candidates),
            status=response.status_code,
        )

    @staticmethod
    def _image(inline: dict) -> ProviderOutput:
        try:
            data = base64.b64decode(inline.get("data") or "", validate=True)
        except ValueError:
            data = b""
        size = probe_size(data) if data else None
        if size is None:
            raise ProviderError(
                "provider_error",
                "gemini: the image part is not a readable image",
                retryable=True,
                charged=True,
            )
        content_type = _get(inline, "mimeType", "mime_type")
        if not isinstance(content_type, str) or not content_type.startswith("image/"):
            content_type = _mime_type(data)
        return ProviderOutput(data, content_type, size[0], size[1], None)

    def _error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        error = _error_body(response)
        message = error.get("message") if isinstance(error.get("message"), str) else ""
        detail = self._clean(message) or f"HTTP {status}"
        reasons = {info.get("reason") for info in _details(error, _ERROR_INFO)}
        if reasons & {"API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"}:
            # Google answers a bad key with 400 too: it is about our credentials, not the request.
            return STATUS_MEANINGS[401].error(self.name, status, detail)
        return status_error(self.name, status, detail if message else None, _STATUS_OVERRIDES)
