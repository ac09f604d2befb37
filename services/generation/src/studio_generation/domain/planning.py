"""Turns an approved create operation into one provider request per variation.

Variations differ by seed only (base seed + index), so a variation can be regenerated alone. Every
delivered file has the requested size exactly: remote providers generate at sizes they accept and the
output is fitted afterwards.
"""

from studio_common.events import OperationApproved
from studio_common.operation_rules import MAX_SEED
from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.imaging import content_type_of, fit_exact
from studio_providers.planning import PlannedOutput, PlanningError, operation_seed, single_output


def base_seed(op: OperationApproved) -> int:
    seed = op.params.get("seed")
    return operation_seed(op.operation_id) if seed is None else int(seed)


def plan_create(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    params = op.params
    try:
        width, height = int(params["width"]), int(params["height"])
        output_format = params.get("output_format", "png")
        content_type = content_type_of(output_format)
    except (KeyError, ValueError) as exc:
        raise PlanningError(f"create needs width, height and a known output_format: {exc}") from exc
    seed = base_seed(op)

    def finish(output: ProviderOutput) -> ProviderOutput:
        if (output.width, output.height) == (width, height) and output.content_type == content_type:
            return output
        data, w, h = fit_exact(output.data, width, height, output_format)
        return ProviderOutput(data, content_type, w, h, output.seed)

    extra = {
        k: params[k]
        for k in ("guidance_scale", "steps", "style_preset", "quality", "aspect_ratio")
        if params.get(k) is not None
    }
    return [
        PlannedOutput(
            ProviderRequest(
                kind=op.kind,
                model=op.model,
                prompt=params.get("prompt", ""),
                negative_prompt=params.get("negative_prompt") or "",
                width=width,
                height=height,
                seed=(seed + index) % MAX_SEED,
                output_format=output_format,
                params=extra,
            ),
            finish,
        )
        for index in range(op.units)
    ]


PLANNERS = {
    "create": plan_create,
    "control.sketch": single_output,
    "control.structure": single_output,
    "control.style": single_output,
    "control.style_transfer": single_output,
}


def plan(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    planner = PLANNERS.get(op.kind)
    if planner is None:
        raise PlanningError(f"generation does not handle {op.kind}")
    return planner(op, inputs)
