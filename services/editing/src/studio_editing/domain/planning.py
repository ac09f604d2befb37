"""Editing operations: edits and upscales are one provider call each; the social optimizer delivers
every requested format and a ZIP of them from one decode of the image."""

from studio_common.events import OperationApproved
from studio_providers.planning import PlannedOutput, PlanningError, single_output

SINGLE = (
    "edit.remove_background",
    "edit.inpaint",
    "edit.erase",
    "edit.outpaint",
    "edit.search_replace",
    "edit.search_recolor",
    "edit.relight",
    "edit.general",
    "upscale.fast",
    "upscale.conservative",
    "upscale.creative",
    "upscale.auto",
)


def plan(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    if "image" not in inputs:
        raise PlanningError(f"{op.kind} needs an image")
    if op.kind in SINGLE:
        return single_output(op, inputs)
    if op.kind == "social.optimize":
        return plan_social(op, inputs)
    raise PlanningError(f"editing does not handle {op.kind}")


def plan_social(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    [planned] = single_output(op, inputs)
    formats = op.params.get("formats") or []
    if not formats:
        raise PlanningError("social.optimize needs at least one format")
    zip_part = 1 if op.params.get("zip", True) and len(formats) > 1 else 0
    return [PlannedOutput(planned.request, parts=len(formats) + zip_part)]
