"""The social optimizer as a local provider operation: every requested format, then their ZIP."""

from studio_common.social_formats import format_by_id
from studio_editing.domain.social.outputs import SocialRenderError
from studio_editing.domain.social.render import optimize, zip_outputs
from studio_providers.base import ProviderOutput, ProviderRequest


def social_optimize(request: ProviderRequest) -> list[ProviderOutput]:
    params = request.params
    formats = [format_by_id(format_id) for format_id in params["formats"]]
    if None in formats:
        raise ValueError(f"unknown social format in {params['formats']}")
    focal = (params["focal_x"], params["focal_y"]) if params.get("focal_x") is not None else None
    try:
        outputs = optimize(
            request.inputs["image"],
            formats,
            params.get("crop_mode", "smart"),
            focal,
            bool(params.get("safe_zone_overlay")),
            request.output_format or "jpeg",
        )
    except SocialRenderError as exc:
        raise ValueError(str(exc)) from exc
    files = [ProviderOutput(o.data, o.content_type, o.width, o.height) for o in outputs]
    if params.get("zip", True) and len(outputs) > 1:
        files.append(ProviderOutput(zip_outputs(outputs), "application/zip"))
    return files


SOCIAL_OPERATIONS = {"social.optimize": social_optimize}
