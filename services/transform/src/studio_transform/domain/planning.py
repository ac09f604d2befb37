"""Transform operations: one provider call, one file (MP4 video or GLB model)."""

from studio_common.events import OperationApproved
from studio_providers.models.faces import faces_in_image
from studio_providers.planning import PlannedOutput, PlanningError, single_output

KINDS = ("transform.video", "transform.avatar", "transform.3d")


def plan(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    if op.kind not in KINDS:
        raise PlanningError(f"transform does not handle {op.kind}")
    if "image" not in inputs:
        raise PlanningError(f"{op.kind} needs an image")
    if op.kind == "transform.avatar":
        _require_speaking_face(inputs)
    return single_output(op, inputs)


def _require_speaking_face(inputs: dict[str, bytes]) -> None:
    """A talking avatar animates a face. Finding one takes a vision model, which lives with the workers:
    the operation fails here, before its hold is claimed or any provider is paid, and billing releases
    the credits."""
    if "audio" not in inputs:
        raise PlanningError("a talking avatar needs speech audio")
    if faces_in_image(inputs["image"]).count == 0:
        raise PlanningError("image shows no face: a talking avatar needs a portrait with a visible face")
