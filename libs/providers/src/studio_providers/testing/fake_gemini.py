"""A local stand-in for the Gemini API's image generation (`generateContent` on the image models), speaking
its documented request shape, answers and Google RPC errors, so the adapter is tested over real HTTP without
a key or network.

What it does: the key is taken from the `x-goog-api-key` header or the `?key=` query parameter (a wrong key
answers 400 INVALID_ARGUMENT with `ErrorInfo.reason=API_KEY_INVALID`; a missing one 403 PERMISSION_DENIED,
whose real text is unconfirmed); an unknown model answers 404 NOT_FOUND; the body is checked (unknown
fields, `responseMimeType` together with the IMAGE modality, unknown `imageConfig` keys, an `aspectRatio`
or `imageSize` outside its enum, undecodable inline images) and refused with 400 like the real service;
success is a candidate with a short text part and an `inlineData` PNG at the asked aspect ratio (about
1 MP, the 1K sizes the docs list for gemini-2.5-flash-image), `finishReason: STOP` and `usageMetadata` with
1290 IMAGE tokens. Requests may use camelCase or snake_case field names, as the real API accepts both.

Failures are chosen per request with the `X-Fake-Scenario` header (or for every request with
`app.state.default_scenario`), a comma-separated list of:
    prompt_blocked      200, no candidates, `promptFeedback.blockReason: SAFETY`
    image_safety        200, a candidate without parts, `finishReason: IMAGE_SAFETY` and a `finishMessage`
    image_prohibited    as image_safety with `IMAGE_PROHIBITED_CONTENT`
    no_image            as image_safety with `NO_IMAGE`
    text_only           200, a text-only refusal with `finishReason: STOP`
    ratelimit           429 RESOURCE_EXHAUSTED with `RetryInfo.retryDelay` (`app.state.retry_delay`, "0s"
                        by default) on every call; `ratelimit:N` only on the first N such calls
    error500            500 INTERNAL on every call; `error500:N` only on the first N such calls
    unavailable         503 UNAVAILABLE ("overloaded") on every call; `unavailable:N` on the first N
`app.state.requests` logs every request (method, path, query and headers without the key, JSON body,
status); `app.state.reset()` clears it and the scenario counters.
"""

import base64
import binascii
import io
import json
import uuid
import zlib
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool

from studio_providers.testing.fake_stability import pattern
from studio_providers.testing.server import requested_scenarios

IMAGE_MODELS = (
    "gemini-2.5-flash-image",
    "gemini-2.5-flash-image-preview",
    "gemini-3-pro-image-preview",
    "gemini-3.1-flash-image-preview",
    "gemini-2.0-flash-preview-image-generation",
)
# Output sizes per aspect ratio at the default 1K image size (gemini-2.5-flash-image docs).
SIZES = {
    "1:1": (1024, 1024),
    "2:3": (832, 1248),
    "3:2": (1248, 832),
    "3:4": (864, 1184),
    "4:3": (1184, 864),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
    "21:9": (1536, 672),
}
IMAGE_SIZES = ("1K", "2K", "4K")
IMAGE_TOKENS = 1290
FINISH_SCENARIOS = {
    "image_safety": "IMAGE_SAFETY",
    "image_prohibited": "IMAGE_PROHIBITED_CONTENT",
    "no_image": "NO_IMAGE",
}
# Known request fields (camelCase and snake_case spellings), per level.
_TOP_FIELDS = {
    "contents",
    "generationConfig",
    "generation_config",
    "safetySettings",
    "safety_settings",
    "systemInstruction",
    "system_instruction",
    "tools",
    "toolConfig",
    "tool_config",
    "cachedContent",
    "cached_content",
}
_CONFIG_FIELDS = {
    "responseModalities",
    "response_modalities",
    "imageConfig",
    "image_config",
    "responseMimeType",
    "response_mime_type",
    "temperature",
    "topP",
    "top_p",
    "topK",
    "top_k",
    "candidateCount",
    "candidate_count",
    "maxOutputTokens",
    "max_output_tokens",
    "seed",
    "stopSequences",
    "stop_sequences",
    "thinkingConfig",
    "thinking_config",
}
_IMAGE_CONFIG_FIELDS = {"aspectRatio": "aspect_ratio", "imageSize": "image_size"}
_PART_FIELDS = {"text", "inlineData", "inline_data", "thought", "thoughtSignature", "thought_signature"}
_MIME_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


class Invalid(Exception):
    def __init__(self, message: str, violations: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message, self.violations = message, violations or []


def google_error(
    code: int,
    status: str,
    message: str,
    details: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=code, headers=headers)


def _pick(mapping: dict, camel: str, snake: str) -> Any:
    return mapping.get(camel, mapping.get(snake))


def _unknown(name: str, where: str) -> Invalid:
    message = f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."
    return Invalid(message, [{"field": f"{where}.{name}" if where else name, "description": message}])


def parse_body(body: Any) -> tuple[str, list[Image.Image], list[str], dict]:
    """The prompt text, reference images, response modalities and image config of a request, or Invalid."""
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON payload received. Expected an object.")
    for name in body:
        if name not in _TOP_FIELDS:
            raise _unknown(name, "")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise Invalid("* GenerateContentRequest.contents: contents is not specified")
    texts: list[str] = []
    images: list[Image.Image] = []
    for i, content in enumerate(contents):
        parts = content.get("parts") if isinstance(content, dict) else None
        if not isinstance(parts, list) or not parts:
            raise Invalid(f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
        for j, part in enumerate(parts):
            where = f"contents[{i}].parts[{j}]"
            if not isinstance(part, dict):
                raise Invalid(f"Invalid value at '{where}': expected an object")
            for name in part:
                if name not in _PART_FIELDS:
                    raise _unknown(name, where)
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            inline = _pick(part, "inlineData", "inline_data")
            if inline is not None:
                images.append(_inline_image(inline, where))
    config = _pick(body, "generationConfig", "generation_config") or {}
    if not isinstance(config, dict):
        raise Invalid("Invalid value at 'generation_config': expected an object")
    for name in config:
        if name not in _CONFIG_FIELDS:
            raise _unknown(name, "generation_config")
    modalities = _pick(config, "responseModalities", "response_modalities") or ["TEXT", "IMAGE"]
    if not isinstance(modalities, list) or any(m not in ("TEXT", "IMAGE", "AUDIO") for m in modalities):
        raise Invalid("Invalid value at 'generation_config.response_modalities'")
    if "IMAGE" in modalities and _pick(config, "responseMimeType", "response_mime_type") is not None:
        raise Invalid("Parameter response_mime_type is not supported for generating image response.")
    image_config = _pick(config, "imageConfig", "image_config") or {}
    if not isinstance(image_config, dict):
        raise Invalid("Invalid value at 'generation_config.image_config': expected an object")
    known = set(_IMAGE_CONFIG_FIELDS) | set(_IMAGE_CONFIG_FIELDS.values())
    for name in image_config:
        if name not in known:
            raise _unknown(name, "generation_config.image_config")
    aspect_ratio = _pick(image_config, "aspectRatio", "aspect_ratio")
    if aspect_ratio is not None and aspect_ratio not in SIZES:
        raise Invalid(f"Unsupported aspect ratio: {aspect_ratio}. Supported values are: {', '.join(SIZES)}.")
    image_size = _pick(image_config, "imageSize", "image_size")
    if image_size is not None and image_size not in IMAGE_SIZES:
        raise Invalid(
            f"Unsupported image size: {image_size}. Supported values are: {', '.join(IMAGE_SIZES)}."
        )
    return " ".join(texts), images, modalities, {"aspectRatio": aspect_ratio, "imageSize": image_size}


def _inline_image(inline: Any, where: str) -> Image.Image:
    if not isinstance(inline, dict):
        raise Invalid(f"Invalid value at '{where}.inline_data': expected an object")
    mime_type = _pick(inline, "mimeType", "mime_type")
    if mime_type not in _MIME_TYPES:
        raise Invalid(f"Unsupported MIME type: {mime_type}")
    try:
        data = base64.b64decode(inline.get("data") or "", validate=True)
        image = Image.open(io.BytesIO(data))
        image.load()
    except (binascii.Error, ValueError):
        raise Invalid(
            f"Invalid value at '{where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed"
        ) from None
    except (UnidentifiedImageError, OSError):
        raise Invalid(
            "Unable to process input image. Please retry or report in "
            "https://developers.generativeai.google/guide/troubleshooting"
        ) from None
    return image


def _nearest_ratio(width: int, height: int) -> str:
    return min(SIZES, key=lambda r: abs(SIZES[r][0] / SIZES[r][1] - width / height))


def render_png(prompt: str, size: tuple[int, int]) -> bytes:
    image = pattern(zlib.crc32(prompt.encode()), size)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _usage(prompt: str, images: int, output_tokens: int, output_modality: str) -> dict:
    text_tokens = max(1, len(prompt) // 4)
    details = [{"modality": "TEXT", "tokenCount": text_tokens}]
    if images:
        details.append({"modality": "IMAGE", "tokenCount": 258 * images})
    prompt_tokens = text_tokens + 258 * images
    usage = {
        "promptTokenCount": prompt_tokens,
        "totalTokenCount": prompt_tokens + output_tokens,
        "promptTokensDetails": details,
    }
    if output_tokens:
        usage["candidatesTokenCount"] = output_tokens
        usage["candidatesTokensDetails"] = [{"modality": output_modality, "tokenCount": output_tokens}]
    return usage


def create_fake_gemini(
    api_key: str = "gm-test", *, retry_delay: str = "0s", retry_after: str | None = None
) -> FastAPI:
    """The fake Gemini API. `retry_delay` is the RetryInfo delay of a 429 and `retry_after` an optional
    `Retry-After` header with it (both also settable on `app.state`)."""
    app = FastAPI(title="fake Gemini API")
    state = app.state
    state.requests = []
    state.counters = {}
    state.default_scenario = ""
    state.retry_delay = retry_delay
    state.retry_after = retry_after

    def reset() -> None:
        state.requests.clear()
        state.counters.clear()

    state.reset = reset

    scenarios = requested_scenarios

    def fires(name: str, chosen: dict[str, str | None]) -> bool:
        if name not in chosen:
            return False
        arg = chosen[name]
        counter = f"{name}:{arg}"
        state.counters[counter] = state.counters.get(counter, 0) + 1
        return arg is None or state.counters[counter] <= int(arg)

    def failure(request: Request, model: str, chosen: dict[str, str | None]) -> JSONResponse | None:
        """Answers that come before the body is looked at: auth, unknown model, quota, server errors."""
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if not key:
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established "
                "identity). Please use API Key or other form of API consumer identity to "
                "call this API.",
            )
        if key != api_key:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"},
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                        "locale": "en-US",
                        "message": "API key not valid. Please pass a valid API key.",
                    },
                ],
            )
        if fires("ratelimit", chosen):
            headers = {"retry-after": state.retry_after} if state.retry_after is not None else None
            return google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please check your plan and billing details.",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [
                            {
                                "quotaMetric": "generativelanguage.googleapis.com/generate_content_"
                                "free_tier_requests",
                                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                                "quotaDimensions": {"model": model, "location": "global"},
                                "quotaValue": "10",
                            }
                        ],
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.Help",
                        "links": [
                            {
                                "description": "Learn more about Gemini API quotas",
                                "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                            }
                        ],
                    },
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": state.retry_delay},
                ],
                headers=headers,
            )
        if fires("error500", chosen):
            return google_error(
                500,
                "INTERNAL",
                "An internal error has occurred. Please retry or report in "
                "https://developers.generativeai.google/guide/troubleshooting",
            )
        if fires("unavailable", chosen):
            return google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        if model not in IMAGE_MODELS:
            return google_error(
                404,
                "NOT_FOUND",
                f"models/{model} is not found for API version v1beta, or "
                "is not supported for generateContent. Call ListModels to see the list of "
                "available models and their supported methods.",
            )
        return None

    def answer(
        model: str,
        prompt: str,
        images: list[Image.Image],
        modalities: list[str],
        image_config: dict,
        chosen: dict[str, str | None],
    ) -> dict:
        response_id = uuid.uuid4().hex[:22]
        common = {"modelVersion": model, "responseId": response_id}
        if "prompt_blocked" in chosen:
            return {
                "promptFeedback": {
                    "blockReason": "SAFETY",
                    "safetyRatings": [
                        {
                            "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                            "probability": "HIGH",
                            "blocked": True,
                        }
                    ],
                },
                "usageMetadata": _usage(prompt, len(images), 0, "TEXT"),
                **common,
            }
        for scenario, reason in FINISH_SCENARIOS.items():
            if scenario in chosen:
                return {
                    "candidates": [
                        {
                            "content": {"role": "model"},
                            "finishReason": reason,
                            "index": 0,
                            "finishMessage": "Unable to show the generated image. The image was "
                            "filtered out because it violated Google's "
                            "Generative AI Prohibited Use policy.",
                        }
                    ],
                    "usageMetadata": _usage(prompt, len(images), 0, "IMAGE"),
                    **common,
                }
        if "text_only" in chosen or "IMAGE" not in modalities:
            text = "I can't create that image, but I can help with something else."
            return {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": _usage(prompt, len(images), 14, "TEXT"),
                **common,
            }
        ratio = image_config.get("aspectRatio")
        if ratio is None:  # like the real model: follow the reference image, else square
            ratio = _nearest_ratio(*images[0].size) if images else "1:1"
        data = render_png(prompt, SIZES[ratio])
        parts: list[dict] = []
        if "TEXT" in modalities:
            parts.append({"text": "Here is the image you asked for."})
        parts.append({"inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()}})
        return {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": _usage(prompt, len(images), IMAGE_TOKENS, "IMAGE"),
            **common,
        }

    @app.post("/v1beta/models/{target}")
    async def generate_content(target: str, request: Request) -> JSONResponse:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "query": {k: v for k, v in request.query_params.items() if k != "key"},
            "headers": {k: v for k, v in request.headers.items() if k != "x-goog-api-key"},
            "body": None,
            "status": None,
        }
        state.requests.append(entry)

        def finish(response: JSONResponse) -> JSONResponse:
            entry["status"] = response.status_code
            return response

        raw = await request.body()
        try:
            entry["body"] = json.loads(raw) if raw else None
        except ValueError:
            entry["body"] = raw.decode("utf-8", "replace")
        model, _, method = target.partition(":")
        if method != "generateContent":
            return finish(google_error(404, "NOT_FOUND", f"Method {method or target} is not found."))
        chosen = scenarios(request)
        if (early := failure(request, model, chosen)) is not None:
            return finish(early)
        if not isinstance(entry["body"], dict):
            return finish(google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."))
        try:
            prompt, images, modalities, image_config = await run_in_threadpool(parse_body, entry["body"])
        except Invalid as exc:
            details = [{"@type": _BAD_REQUEST, "fieldViolations": exc.violations}] if exc.violations else None
            return finish(google_error(400, "INVALID_ARGUMENT", exc.message, details))
        body = await run_in_threadpool(answer, model, prompt, images, modalities, image_config, chosen)
        return finish(JSONResponse(body))

    return app
