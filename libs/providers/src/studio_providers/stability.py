"""Stability AI REST v2beta adapter: generate, edit, upscale, control and Stable Fast 3D.

Every call is a multipart POST (image files as file parts, every other field as a text part). Relight and
creative upscale are asynchronous: the POST answers `{id}` and the result is polled from
`/v2beta/results/{id}`. Stability does not bill failed generations, so a 429/5xx answer is retried.
"""

import base64
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from studio_common.content_types import UNKNOWN_TYPE, extension_for
from studio_common.images import sniff_content_type
from studio_common.operation_rules import operation_model
from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.http import RemoteProvider, json_object, send_with_retries, status_error
from studio_providers.imaging import nearest_ratio, probe_size

GENERATE_MODELS = {"ultra": "ultra", "core": "core"}
SD3_MODELS = (
    "sd3.5-large",
    "sd3.5-large-turbo",
    "sd3.5-medium",
    "sd3-large",
    "sd3-large-turbo",
    "sd3-medium",
)
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
ALL_FORMATS = ("png", "jpeg", "webp")
GLB_TYPE = "model/gltf-binary"
_RESULT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True, slots=True)
class Operation:
    path: str
    # ProviderRequest.inputs role -> multipart file field.
    files: dict[str, str] = field(default_factory=dict)
    # ProviderRequest.params keys sent as text parts when set.
    params: tuple[str, ...] = ()
    prompt: bool = True
    negative_prompt: bool = True
    seed: bool = True
    formats: tuple[str, ...] = ALL_FORMATS
    aspect_from_size: bool = False
    asynchronous: bool = False
    accept: str = "image/*"


_IMAGE = {"image": "image"}
_EDIT_PRESET = ("style_preset",)
OPERATIONS: dict[str, Operation] = {
    "generate.ultra": Operation(
        "/v2beta/stable-image/generate/ultra",
        _IMAGE,
        ("aspect_ratio", "style_preset", "strength"),
        aspect_from_size=True,
    ),
    "generate.core": Operation(
        "/v2beta/stable-image/generate/core", params=("aspect_ratio", "style_preset"), aspect_from_size=True
    ),
    "generate.sd3": Operation(
        "/v2beta/stable-image/generate/sd3",
        _IMAGE,
        ("aspect_ratio", "style_preset", "strength", "cfg_scale"),
        formats=("png", "jpeg"),
        aspect_from_size=True,
    ),
    "edit.erase": Operation(
        "/v2beta/stable-image/edit/erase",
        {"image": "image", "mask": "mask"},
        ("grow_mask",),
        prompt=False,
        negative_prompt=False,
    ),
    "edit.inpaint": Operation(
        "/v2beta/stable-image/edit/inpaint", {"image": "image", "mask": "mask"}, ("grow_mask", *_EDIT_PRESET)
    ),
    "edit.outpaint": Operation(
        "/v2beta/stable-image/edit/outpaint",
        _IMAGE,
        ("left", "right", "up", "down", "creativity", *_EDIT_PRESET),
    ),
    "edit.search_replace": Operation(
        "/v2beta/stable-image/edit/search-and-replace", _IMAGE, ("search_prompt", "grow_mask", *_EDIT_PRESET)
    ),
    "edit.search_recolor": Operation(
        "/v2beta/stable-image/edit/search-and-recolor", _IMAGE, ("select_prompt", "grow_mask", *_EDIT_PRESET)
    ),
    "edit.remove_background": Operation(
        "/v2beta/stable-image/edit/remove-background",
        _IMAGE,
        prompt=False,
        negative_prompt=False,
        seed=False,
        formats=("png", "webp"),
    ),
    "edit.relight": Operation(
        "/v2beta/stable-image/edit/replace-background-and-relight",
        {
            "image": "subject_image",
            "background_reference": "background_reference",
            "light_reference": "light_reference",
        },
        (
            "background_prompt",
            "foreground_prompt",
            "preserve_original_subject",
            "original_background_depth",
            "keep_original_background",
            "light_source_direction",
            "light_source_strength",
        ),
        prompt=False,
        asynchronous=True,
        accept="application/json",
    ),
    "upscale.fast": Operation(
        "/v2beta/stable-image/upscale/fast", _IMAGE, prompt=False, negative_prompt=False, seed=False
    ),
    "upscale.conservative": Operation("/v2beta/stable-image/upscale/conservative", _IMAGE, ("creativity",)),
    "upscale.creative": Operation(
        "/v2beta/stable-image/upscale/creative",
        _IMAGE,
        ("creativity", *_EDIT_PRESET),
        asynchronous=True,
        accept="application/json",
    ),
    "control.sketch": Operation(
        "/v2beta/stable-image/control/sketch", _IMAGE, ("control_strength", *_EDIT_PRESET)
    ),
    "control.structure": Operation(
        "/v2beta/stable-image/control/structure", _IMAGE, ("control_strength", *_EDIT_PRESET)
    ),
    "control.style": Operation(
        "/v2beta/stable-image/control/style",
        _IMAGE,
        ("fidelity", "aspect_ratio", *_EDIT_PRESET),
        aspect_from_size=True,
    ),
    "control.style_transfer": Operation(
        "/v2beta/stable-image/control/style-transfer",
        {"image": "init_image", "style_image": "style_image"},
        ("style_strength", "composition_fidelity", "change_strength"),
    ),
    "transform.3d": Operation(
        "/v2beta/3d/stable-fast-3d",
        _IMAGE,
        ("texture_resolution", "foreground_ratio", "remesh", "vertex_count"),
        prompt=False,
        negative_prompt=False,
        seed=False,
        formats=(),
        accept=GLB_TYPE,
    ),
}
# Kinds other than create: the catalog names the model after the operation.
_KIND_MODELS = {
    kind: operation_model(kind) for kind in OPERATIONS if "." in kind and not kind.startswith("generate.")
}


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The allowed aspect ratio closest to width:height."""
    return nearest_ratio(width, height, ASPECT_RATIOS)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value == "")


def _file_part(data: bytes, role: str) -> tuple[str, bytes, str]:
    content_type = sniff_content_type(data)
    if content_type is None:
        return role, data, UNKNOWN_TYPE
    return f"{role}.{extension_for(content_type)}", data, content_type


class StabilityProvider(RemoteProvider):
    name = "stability"
    default_base_url = "https://api.stability.ai"
    poll_interval = 10.0
    poll_timeout = 300.0

    # -- capability -----------------------------------------------------------------------------------

    @staticmethod
    def _operation_key(kind: str, model: str) -> str | None:
        if kind == "create":
            if model in GENERATE_MODELS:
                return f"generate.{model}"
            return "generate.sd3" if model in SD3_MODELS else None
        return kind if _KIND_MODELS.get(kind) == model else None

    def supports(self, kind: str, model: str) -> bool:
        return self._operation_key(kind, model) is not None

    # -- request building -----------------------------------------------------------------------------

    def _headers(self, accept: str) -> dict[str, str]:
        return {
            "authorization": f"Bearer {self._api_key}",
            "accept": accept,
            "stability-client-id": "image-studio",
        }

    def build_parts(self, request: ProviderRequest) -> tuple[Operation, list[tuple[str, tuple]]]:
        """The operation and its multipart parts: (field, (None, text)) for text parts and
        (field, (filename, bytes, content type)) for files, so the body is multipart even without files."""
        key = self._operation_key(request.kind, request.model)
        if key is None:
            raise UnsupportedOperation(f"stability has no model {request.model!r} for {request.kind}")
        operation = OPERATIONS[key]
        fields: dict[str, str] = {}
        params = dict(request.params)
        if operation.prompt and request.prompt:
            fields["prompt"] = request.prompt
        if operation.negative_prompt and request.negative_prompt:
            fields["negative_prompt"] = request.negative_prompt
        if (
            key == "edit.relight"
            and not _is_set(params.get("background_prompt"))
            and request.prompt
            and "background_reference" not in request.inputs
        ):
            params["background_prompt"] = request.prompt
        if key == "generate.sd3":
            fields["model"] = request.model
            fields["mode"] = "image-to-image" if "image" in request.inputs else "text-to-image"
        for name in operation.params:
            if name == "aspect_ratio" and key == "generate.sd3" and "image" in request.inputs:
                continue  # image-to-image takes its shape from the image
            value = params.get(name)
            if _is_set(value):
                fields[name] = _text(value)
        if (
            operation.aspect_from_size
            and "aspect_ratio" not in fields
            and request.width
            and request.height
            and not (key == "generate.sd3" and "image" in request.inputs)
        ):
            fields["aspect_ratio"] = nearest_aspect_ratio(request.width, request.height)
        if operation.seed:
            fields["seed"] = str(request.seed)
        if operation.formats:
            # Formats the endpoint cannot produce come back as PNG; the worker re-encodes on delivery.
            fields["output_format"] = (
                request.output_format if request.output_format in operation.formats else "png"
            )
        parts: list[tuple[str, tuple]] = []
        for role, field_name in operation.files.items():
            data = request.inputs.get(role)
            if data is not None:
                parts.append((field_name, _file_part(data, field_name)))
        parts.extend((name, (None, value)) for name, value in fields.items())
        return operation, parts

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        operation, parts = self.build_parts(request)
        response = await send_with_retries(
            self._client,
            "POST",
            self._base_url + operation.path,
            policy=self._policy,
            idempotent=False,
            statuses_safe=True,
            provider=self.name,
            files=parts,
            headers=self._headers(operation.accept),
        )
        try:
            if response.status_code != 200:
                raise self._error(response)
            if not operation.asynchronous:
                return self._output(response)
            generation_id = json_object(response).get("id")
        finally:
            await response.aclose()
        if not isinstance(generation_id, str) or not _RESULT_ID.fullmatch(generation_id):
            raise ProviderError(
                "provider_error", "stability: async submit answered without a valid id", retryable=True
            )
        return await self._poll_result(generation_id)

    async def _poll_result(self, generation_id: str) -> ProviderOutput:
        async def answer(response: httpx.Response) -> ProviderOutput | None:
            if response.status_code == 202:
                return None
            if response.status_code == 200:
                return self._output(response)
            if response.status_code == 404:
                raise ProviderError(
                    "not_found",
                    f"stability: result {generation_id} is unknown or expired"
                    f"{self._detail(response, prefix=': ')}",
                    retryable=True,
                    status=404,
                )
            raise self._error(response)

        return await self._poll(
            f"{self._base_url}/v2beta/results/{generation_id}",
            self._headers("*/*"),
            f"result {generation_id} not ready",
            answer,
        )

    # -- responses ------------------------------------------------------------------------------------

    def _output(self, response: httpx.Response) -> ProviderOutput:
        content_type = response.headers.get("content-type", "application/octet-stream")
        if content_type.startswith("application/json"):
            body = json_object(response)
            finish_reason = body.get("finish_reason")
            seed = body.get("seed")
            try:
                data = base64.b64decode(body.get("image") or "", validate=True)
            except ValueError:
                raise ProviderError(
                    "provider_error", "stability: JSON answer without a valid image", retryable=True
                ) from None
            match = re.search(r"type=([\w.+-]+/[\w.+-]+)", content_type)
            content_type = match.group(1) if match else "image/png"
        else:
            data = response.content
            finish_reason = response.headers.get("finish-reason")
            seed = response.headers.get("seed")
            content_type = content_type.split(";", 1)[0].strip()
        if finish_reason == "CONTENT_FILTERED":
            raise ProviderError(
                "content_filtered",
                "stability: the output was blocked by the content filter",
                retryable=False,
                charged=True,
                status=response.status_code,
            )
        if not data:
            raise ProviderError("provider_error", "stability: empty answer", retryable=True)
        width = height = None
        if content_type.startswith("image/"):
            size = probe_size(data)
            if size is None:
                raise ProviderError(
                    "provider_error", "stability: the answer is not a readable image", retryable=True
                )
            width, height = size
        try:
            seed_value = int(seed) if seed is not None else None
        except (TypeError, ValueError):
            seed_value = None
        return ProviderOutput(data, content_type, width, height, seed_value)

    def _detail(self, response: httpx.Response, prefix: str = "") -> str:
        body = json_object(response)
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            text = "; ".join(str(e) for e in errors)
        elif isinstance(body.get("message"), str):
            text = body["message"]
        else:
            text = ""
        text = text.replace(self._api_key, "***")[:1000]
        return prefix + text if text else ""

    def _error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        detail = self._detail(response)
        name = json_object(response).get("name")
        if status == 403 and name == "content_moderation":
            return ProviderError(
                "content_moderation",
                f"stability refused the input: {detail or 'content moderation'}",
                retryable=False,
                charged=False,
                status=status,
            )
        return status_error(self.name, status, detail or None)
