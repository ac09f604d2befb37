"""How each event moves an operation in the read model. Pure: given the row's state and an event,
the changed columns. Duplicates and reordering change nothing (statuses only move forward)."""

from studio_common.events import (
    FINAL_STATUSES,
    EventData,
    OperationApproved,
    OperationCanceled,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationProgress,
    OperationRejected,
    OperationSettled,
    OperationStarted,
)

RANK = {"queued": 0, "approved": 1, "running": 2}


def _rank(status: str) -> int:
    return 3 if status in FINAL_STATUSES else RANK[status]


def _move(current: str, new: str) -> dict:
    return {"status": new} if _rank(new) > _rank(current) else {}


def settled(status: str, charged_credits: int | None) -> bool:
    """Final and billed: billing's settlement follows the final status as a separate event, and every
    operation that reached billing gets one (a rejected operation has no hold, so nothing to settle)."""
    return status in FINAL_STATUSES and (charged_credits is not None or status == "rejected")


def fold(status: str, progress: float, event: EventData) -> dict:
    """Columns to update for this event, or {} if it changes nothing."""
    match event:
        case OperationApproved():
            changes = _move(status, "approved")
            return {**changes, "reserved_credits": event.credits, "estimated_credits": event.credits}
        case OperationRejected():
            changes = _move(status, "rejected")
            if not changes:
                return {}
            details = {
                "reason": event.reason,
                "limit": event.limit,
                "usage": event.usage,
                "resets_at": event.resets_at.isoformat() if event.resets_at else None,
            }
            return {
                **changes,
                "estimated_credits": event.estimated_credits,
                "error_code": event.reason,
                "error_message": event.message,
                "error_details": details,
            }
        case OperationStarted():
            return _move(status, "running")
        case OperationProgress():
            if status in FINAL_STATUSES or event.progress <= progress:
                return {}
            return {"progress": event.progress, **_move(status, "running")}
        case OperationCompleted():
            return _completed(status, event)
        case OperationFailed():
            changes = _move(status, "failed")
            return {**changes, "error_code": event.code, "error_message": event.message} if changes else {}
        case OperationCanceled():
            changes = _move(status, "canceled")
            return {**changes, "error_code": "canceled", "error_message": event.reason} if changes else {}
        case OperationExpired():
            changes = _move(status, "expired")
            return {**changes, "error_code": "expired", "error_message": event.reason} if changes else {}
        case OperationSettled():
            return {"charged_credits": event.charged_credits}
    return {}


def _completed(status: str, event: OperationCompleted) -> dict:
    """Succeeded, or canceled while running with the outputs finished before the cancel (charged alone)."""
    changes = _move(status, "canceled" if event.units_canceled else "succeeded")
    if not changes:
        return {}
    counts = {"units_failed": event.units_failed, "units_canceled": event.units_canceled}
    details = {key: value for key, value in counts.items() if value} or None
    changes |= {
        "progress": 1.0,
        "outputs": [o.model_dump() for o in event.outputs],
        "provider": event.provider,
        "model": event.model,
        "error_details": details,
    }
    if event.units_canceled:
        delivered = len(event.outputs)
        changes |= {
            "error_code": "canceled",
            "error_message": f"canceled while running: {delivered} output(s) finished before the cancel "
            f"are kept and charged, {event.units_canceled} unit(s) released",
        }
    return changes
