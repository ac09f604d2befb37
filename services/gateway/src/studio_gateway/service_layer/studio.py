"""Accepting a studio operation (edit, upscale, control, transform, social): validate the fields, store
the inputs, choose the provider, then submit like Create does."""

from dataclasses import dataclass

from fastapi import UploadFile

from studio_common import images
from studio_common.durations import AVATAR_SPEECH_SECONDS, VIDEO_SOUNDTRACK_SECONDS
from studio_common.events import OperationRequested
from studio_common.images import ImageRejected, check_mask
from studio_common.operation_rules import billable_seconds
from studio_gateway.domain.create_request import RequestError, validated
from studio_gateway.domain.provider_choice import choose_provider
from studio_gateway.domain.studio_operations import OperationFields, OperationSpec, Outpaint
from studio_gateway.service_layer import operations
from studio_gateway.service_layer.inputs import StoredInput, audio_input, image_input


@dataclass
class Submission:
    """One parsed request: text fields and uploaded files by name."""

    fields: dict[str, str]
    files: dict[str, UploadFile]


def validate_fields(model: type[OperationFields], submission: Submission, roles: set[str]) -> OperationFields:
    skip = roles | {f"{r}_asset_id" for r in roles} | {"audio", "operation"}
    values = {k: v for k, v in submission.fields.items() if k not in skip and v != ""}
    unexpected = set(submission.files) - roles - {"audio"}
    if unexpected:
        raise RequestError(sorted(unexpected)[0], f"unexpected file field {sorted(unexpected)[0]!r}")
    return validated(model, values)


async def store_inputs(
    state, user_id: str, spec: OperationSpec, submission: Submission
) -> dict[str, StoredInput]:
    stored: dict[str, StoredInput] = {}
    for role in spec.images:
        item = await image_input(
            state,
            user_id,
            role.name,
            submission.files.get(role.name),
            submission.fields.get(f"{role.name}_asset_id"),
            spec.max_pixels,
        )
        if item is None and role.required:
            raise ImageRejected(f"{role.name} is required: upload it or give {role.name}_asset_id", role.name)
        if item is not None:
            stored[role.name] = item
    if "mask" in stored:
        check_mask(stored["mask"].image, stored["image"].image)
    if spec.audio != "none":
        bounds = AVATAR_SPEECH_SECONDS if spec.audio == "required" else VIDEO_SOUNDTRACK_SECONDS
        audio = await audio_input(
            state, user_id, submission.files.get("audio"), spec.audio == "required", *bounds
        )
        if audio is not None:
            stored["audio"] = audio
    return stored


def check_output_size(fields: OperationFields, stored: dict[str, StoredInput]) -> None:
    """An operation that grows its image is refused (422) before anything is reserved when the result
    would be larger than any operation makes."""
    if isinstance(fields, Outpaint):
        image = stored["image"].image
        try:
            images.check_output_size(*fields.canvas(image.width, image.height), "the outpainted image")
        except ValueError as exc:
            raise RequestError("image", f"{exc}: extend it less or start from a smaller image") from None


def units_for(spec: OperationSpec, fields: OperationFields, stored: dict[str, StoredInput]) -> int:
    """What the operation is priced by: seconds of video, otherwise one output."""
    if spec.kind == "transform.video":
        return int(fields.duration)
    if spec.kind == "transform.avatar":
        return billable_seconds(stored["audio"].audio_seconds)
    return 1


def build_request(
    state,
    user_id: str,
    spec: OperationSpec,
    kind: str,
    fields: OperationFields,
    stored: dict[str, StoredInput],
    extra_params: dict | None = None,
    units: int | None = None,
) -> tuple[OperationRequested, dict]:
    """The event to submit, and the request as the user gave it (kept with the operation)."""
    public = fields.model_dump(mode="json")
    provider, model = choose_provider(
        kind, fields.provider, fields.model, public, set(stored), state.settings.enabled_provider_names
    )
    params = {k: v for k, v in public.items() if k not in ("provider", "model")} | (extra_params or {})
    params["input_size"] = {r: [s.image.width, s.image.height] for r, s in stored.items() if s.image}
    source = stored["image"].asset_id if "image" in stored else None
    event = OperationRequested(
        operation_id=operations.new_operation_id(),
        user_id=user_id,
        domain=spec.domain,
        kind=kind,
        provider=provider,
        model=model,
        units=units or units_for(spec, fields, stored),
        params=params,
        inputs={role: item.key for role, item in stored.items()},
        source_asset_id=source,
    )
    request_record = {
        "operation": spec.name,
        **public,
        "inputs": {r: s.asset_id or s.key for r, s in stored.items()},
    }
    return event, request_record
