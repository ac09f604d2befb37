"""Batch and row rules as pure functions: statuses, derived ids, how operation events move a row, and
what state a batch ends in."""

from studio_common.events import (
    EventData,
    OperationApproved,
    OperationCanceled,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OperationStarted,
)
from studio_common.ids import asset_id_for, derived_id

ROW_STATUSES = ("invalid", "skipped", "pending", "queued", "running", "succeeded", "failed", "canceled")
IN_FLIGHT = ("queued", "running")
FINAL_ROW = ("succeeded", "failed", "canceled", "skipped")
ACTIVE_STATES = ("running", "paused")
FINAL_STATES = ("completed", "completed_with_errors", "failed", "canceled")
STATES = ("draft", "confirming", "scheduled", *ACTIVE_STATES, *FINAL_STATES)
_RANK = {"pending": 0, "queued": 1, "running": 2}


def row_operation_id(batch_id: str, row_number: int, attempt: int) -> str:
    """The same row and attempt always make the same operation: a resumed window cannot send it twice."""
    return derived_id("batch-row", batch_id, row_number, attempt)


def hold_id(batch_id: str, reservation: int) -> str:
    return derived_id("batch-hold", batch_id, reservation)


def _rank(status: str) -> int:
    return _RANK.get(status, 3)


def row_change(status: str, event: EventData) -> dict:
    """Columns of the row to update for this operation event, or {} (duplicates and late events change
    nothing: a row only moves forward). A rejected, failed or expired operation is a failed row."""
    if _rank(status) >= 3:
        return {}
    match event:
        case OperationApproved() | OperationStarted():
            return {"status": "running"} if status != "running" else {}
        case OperationCompleted():
            outputs = [
                {**o.model_dump(), "asset_id": asset_id_for(event.operation_id, o.index)}
                for o in event.outputs
            ]
            if not outputs:
                return {"status": "failed", "error": "no outputs were delivered", "outputs": []}
            final = "canceled" if event.units_canceled else "succeeded"
            return {
                "status": final,
                "outputs": outputs,
                "error": "canceled while running" if final == "canceled" else None,
            }
        case OperationRejected():
            return {"status": "failed", "error": f"{event.reason}: {event.message}"}
        case OperationFailed():
            return {"status": "failed", "error": f"{event.code}: {event.message}"}
        case OperationExpired():
            return {"status": "failed", "error": f"expired: {event.reason}"}
        case OperationCanceled():
            return {"status": "canceled", "error": event.reason}
    return {}


def final_state(counts: dict[str, int], canceled: bool, stopped: bool) -> str | None:
    """The state a batch ends in once no row is pending or in flight; None while it still runs."""
    if any(counts.get(s, 0) for s in ("pending", *IN_FLIGHT)):
        return None
    if canceled:
        return "canceled"
    if stopped:
        return "failed"
    return "completed_with_errors" if counts.get("failed", 0) else "completed"


def progress(counts: dict[str, int]) -> float:
    runnable = sum(n for s, n in counts.items() if s not in ("invalid", "skipped"))
    done = sum(counts.get(s, 0) for s in ("succeeded", "failed", "canceled"))
    return round(done / runnable, 4) if runnable else 1.0
