"""Stability's operations as the adapter calls them: the route table (operation → path, file fields, text
fields, formats) and the multipart parts each takes, built from a ProviderRequest. No I/O: the HTTP side is
in stability.py."""

from dataclasses import dataclass, field
from typing import Any

from studio_common.content_types import UNKNOWN_TYPE, extension_for
from studio_common.images import sniff_content_type
from studio_common.operation_rules import operation_model
from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.imaging import nearest_ratio

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


def operation_key(kind: str, model: str) -> str | None:
    """The OPERATIONS key for a kind and catalog model, or None when Stability has no such model."""
    if kind == "create":
        if model in GENERATE_MODELS:
            return f"generate.{model}"
        return "generate.sd3" if model in SD3_MODELS else None
    return kind if _KIND_MODELS.get(kind) == model else None


def build_parts(request: ProviderRequest) -> tuple[Operation, list[tuple[str, tuple]]]:
    """The operation and its multipart parts: (field, (None, text)) for text parts and
    (field, (filename, bytes, content type)) for files, so the body is multipart even without files."""
    key = operation_key(request.kind, request.model)
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
