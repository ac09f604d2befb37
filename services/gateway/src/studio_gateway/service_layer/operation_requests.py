"""What a user asked for, turned into an `operation.requested` event: validated, inputs stored, the
provider chosen. One function per studio, called by the single-operation endpoints and by every batch
row alike, so a batch row is held to exactly the rules of the endpoint it stands for."""

from collections.abc import Callable

from studio_common.catalog import offers_for
from studio_common.events import OperationRequested
from studio_common.social_formats import PLATFORMS, format_by_id, formats_for, get_platform
from studio_common.upscale_plan import plan_upscale
from studio_gateway.domain.create_request import CreateBody, RequestError, resolve_create
from studio_gateway.domain.studio_operations import (
    CONTROL,
    EDIT,
    SOCIAL,
    TRANSFORM,
    UPSCALE,
    UPSCALE_KINDS,
    OperationFields,
    OperationSpec,
)
from studio_gateway.service_layer import operations, personas, studio
from studio_gateway.service_layer.inputs import StoredInput

Prepare = Callable[[OperationFields, dict[str, StoredInput]], tuple[str, dict | None]]


async def persona_for(state, user_id: str, persona_id: str | None) -> dict | None:
    if not persona_id:
        return None
    async with state.runtime.sessions() as session:
        persona = await personas.get(session, user_id, persona_id)
    if persona is None:
        raise RequestError("persona_id", f"persona_id {persona_id!r} is not one of your personas")
    return dict(persona)


async def build_create(state, user_id: str, body: CreateBody) -> tuple[OperationRequested, dict]:
    resolved = resolve_create(
        body, state.settings.enabled_provider_names, await persona_for(state, user_id, body.persona_id)
    )
    event = OperationRequested(
        operation_id=operations.new_operation_id(),
        user_id=user_id,
        domain="generation",
        kind="create",
        provider=resolved.provider,
        model=resolved.model,
        units=resolved.units,
        params=resolved.params,
    )
    return event, body.model_dump(mode="json")


async def build_studio(
    state, user_id: str, spec: OperationSpec, submission: studio.Submission, prepare: Prepare | None = None
) -> tuple[OperationRequested, dict]:
    """Validate, store the inputs, then build. `prepare` may choose the kind from the inputs and add
    parameters (upscale picks its mode from the image size; social resolves its formats)."""
    fields = studio.validate_fields(spec.fields, submission, {r.name for r in spec.images})
    stored = await studio.store_inputs(state, user_id, spec, submission)
    studio.check_output_size(fields, stored)
    kind, extra = prepare(fields, stored) if prepare else (spec.kind, None)
    return studio.build_request(state, user_id, spec, kind, fields, stored, extra_params=extra)


def upscale_kind(fields, stored: dict[str, StoredInput]) -> tuple[str, None]:
    image = stored["image"].image
    mode = fields.mode
    if fields.provider not in ("auto", "local") and mode == "auto":
        mode = "fast" if image.width * image.height <= 1_048_576 else "conservative"
    kind = UPSCALE_KINDS[mode]
    providers = None if fields.provider == "auto" else [fields.provider]
    for offer in offers_for(kind, providers):
        if offer.max_output_pixels is None:
            continue
        try:  # the size such an offer will deliver, checked now so a bad request reserves nothing
            plan_upscale(
                image.width,
                image.height,
                mode,
                fields.preset,
                fields.target_long_side,
                print_width_in=fields.print_width_in,
                print_height_in=fields.print_height_in,
                max_pixels=offer.max_output_pixels,
            )
        except ValueError as exc:
            raise RequestError("image", str(exc)) from exc
    return kind, None


def resolve_formats(formats: list[str], platforms: list[str]) -> list[str]:
    chosen: list[str] = []
    for platform in platforms:
        if get_platform(platform) is None:
            raise RequestError(
                "platforms", f"platforms: unknown platform {platform!r}: one of {', '.join(PLATFORMS)}"
            )
        chosen += [f.id for f in formats_for(platform)]
    for format_id in formats:
        fmt = format_by_id(format_id)
        if fmt is None:
            raise RequestError(
                "formats", f"formats: unknown format {format_id!r}; see /api/image-studio/social/platforms"
            )
        chosen.append(fmt.id)
    return list(dict.fromkeys(chosen))


def social_kind(fields, _stored) -> tuple[str, dict]:
    return SOCIAL.kind, {"formats": resolve_formats(fields.formats, fields.platforms)}


# Every studio operation by the name a batch row gives in its `kind` column ("create" is separate).
STUDIO_KINDS: dict[str, tuple[OperationSpec, Prepare | None]] = {
    **{f"edit.{name}": (spec, None) for name, spec in EDIT.items()},
    "upscale": (UPSCALE, upscale_kind),
    **{f"control.{name}": (spec, None) for name, spec in CONTROL.items()},
    "social": (SOCIAL, social_kind),
    **{f"transform.{name}": (spec, None) for name, spec in TRANSFORM.items()},
}
