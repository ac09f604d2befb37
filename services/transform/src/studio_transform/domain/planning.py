"""Transform operations: one provider call, one file (MP4 video or GLB model)."""

from studio_common.events import OperationApproved
from studio_providers.planning import PlannedOutput, PlanningError, single_output

KINDS = ("transform.video", "transform.avatar", "transform.3d")


def plan(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    if op.kind not in KINDS:
        raise PlanningError(f"transform does not handle {op.kind}")
    if "image" not in inputs:
        raise PlanningError(f"{op.kind} needs an image")
    if op.kind == "transform.avatar" and "audio" not in inputs:
        raise PlanningError("a talking avatar needs speech audio")
    return single_output(op, inputs)
