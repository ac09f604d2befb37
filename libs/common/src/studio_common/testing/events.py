"""Events as tests build them: an approved operation with sensible defaults, and the completion a worker
would report for a request, so each test names only the fields it is about."""

from datetime import timedelta

from studio_common.events import OperationApproved, OperationCompleted, OperationRequest, OutputRef
from studio_common.ids import new_id, utcnow


def approved_operation(**fields) -> OperationApproved:
    """One local-render create of one unit at one credit, approved with five minutes to start."""
    values = {
        "operation_id": new_id(),
        "user_id": "u1",
        "kind": "create",
        "provider": "local",
        "model": "local-render",
        "units": 1,
        "params": {"prompt": "p"},
        "hold_id": "h",
        "unit_credits": 1,
        "deadline": utcnow() + timedelta(minutes=5),
        **fields,
    }
    values.setdefault("credits", values["units"] * values["unit_credits"])
    return OperationApproved(**values)


def completion_of(request: OperationRequest, delivered: int) -> OperationCompleted:
    """`request` completed with `delivered` PNG outputs; the rest of its units failed."""
    outputs = [
        OutputRef(index=i, storage_key=f"k/{i}", content_type="image/png", bytes=10) for i in range(delivered)
    ]
    return OperationCompleted(
        operation_id=request.operation_id,
        user_id=request.user_id,
        domain=request.domain,
        batch_id=request.batch_id,
        kind=request.kind,
        provider=request.provider,
        model=request.model,
        outputs=outputs,
        units_delivered=delivered,
        units_failed=max(0, request.units - delivered),
    )
