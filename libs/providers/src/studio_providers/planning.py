"""What a worker plans for one approved operation: the provider calls to make and how to finish each.

Each service's domain/planning.py turns an approved operation into a list of PlannedOutput; the
runner carries the plan out step by step.
"""

from collections.abc import Callable
from dataclasses import dataclass

from studio_common.events import OperationApproved
from studio_common.operation_rules import MAX_SEED
from studio_providers.base import ProviderOutput, ProviderRequest


class PlanningError(ValueError):
    """The approved request cannot be carried out as asked (a bad parameter the gateway let through)."""


@dataclass(frozen=True, slots=True)
class PlannedOutput:
    request: ProviderRequest
    # Applied to a provider's answer before storing (e.g. resize to the template's exact size).
    finish: Callable[[ProviderOutput], ProviderOutput] | None = None
    # How many files one call delivers (the social optimizer: every format and the ZIP at once).
    parts: int = 1


def operation_seed(operation_id: str) -> int:
    """A stable seed per operation, so a redelivered operation is reproducible."""
    return int(operation_id[:8], 16) % MAX_SEED


def single_output(op: OperationApproved, inputs: dict[str, bytes]) -> list[PlannedOutput]:
    """Most operations: one provider call with the request's fields and inputs, one file back."""
    params = op.params
    seed = params.get("seed")
    request = ProviderRequest(
        kind=op.kind,
        model=op.model,
        prompt=params.get("prompt") or "",
        negative_prompt=params.get("negative_prompt") or "",
        width=params.get("width"),
        height=params.get("height"),
        seed=int(seed) if seed is not None else operation_seed(op.operation_id),
        output_format=params.get("output_format") or "png",
        params=params,
        inputs=inputs,
    )
    return [PlannedOutput(request)]


Planner = Callable[[OperationApproved, dict[str, bytes]], list[PlannedOutput]]
