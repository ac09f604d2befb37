"""Operations read back, canceled, and the read model folded from events (submitting them:
submissions.py)."""

from studio_common.db import Executor
from studio_common.events import (
    FINAL_STATUSES,
    EventData,
    OperationApproved,
    OperationCancelRequested,
    OperationRequested,
)
from studio_common.ids import new_id, utcnow
from studio_common.runtime import ServiceRuntime
from studio_gateway.adapters import repository as repo
from studio_gateway.domain.read_model import fold


async def get(session: Executor, user_id: str, operation_id: str):
    """The user's own operation, or None: another user's id looks exactly like a missing one (I6)."""
    return await repo.operation(session, user_id, operation_id)


async def list_for(
    session: Executor, user_id: str, page: int, page_size: int, status: str | None, kind: str | None
) -> tuple[list, int]:
    return await repo.operations_page(session, user_id, page, page_size, status, kind)


# A running operation stops before its next step (variation); one already in its last step finishes.
CANCELABLE = ("queued", "approved", "running")


async def request_cancel(runtime: ServiceRuntime, user_id: str, operation_id: str) -> str | None:
    """Ask billing to cancel; returns the status seen, or None if the operation is not the user's."""
    async with runtime.transaction() as session:
        row = await get(session, user_id, operation_id)
        if row is None:
            return None
        if row["status"] in CANCELABLE:
            await runtime.emit(
                session,
                OperationCancelRequested(
                    operation_id=operation_id, user_id=user_id, domain=row["domain"], batch_id=row["batch_id"]
                ),
            )
    runtime.relay.wake()
    return row["status"]


async def apply_event(session: Executor, event: EventData) -> list[EventData]:
    """Fold one event into the read model. Idempotent by itself (statuses only move forward, see
    domain/read_model.py), so the gateway needs no inbox record per event. A batch row enters the read
    model when billing approves it (the batch service, not the gateway, requested it)."""
    row = await repo.progress(session, event.operation_id, lock=True)
    if row is None and isinstance(event, OperationApproved) and event.batch_id:
        row = await _add_batch_row(session, event)
    if row is None:
        return []  # an operation another gateway deployment owns, or not yet visible: nothing to fold
    changes = fold(row.status, row.progress, event)
    if changes:
        now = utcnow()
        if changes.get("status") in FINAL_STATUSES:
            changes["finished_at"] = now
        await repo.change_operation(session, event.operation_id, **changes, updated_at=now)
    return []


async def _add_batch_row(session: Executor, event: OperationApproved):
    """A batch row's operation, which the batch service submitted: it enters the read model when billing
    approves it, so it is listed and followed like any other operation."""
    request = {"kind": event.kind, "batch_id": event.batch_id, "batch_row": event.batch_row, **event.params}
    await repo.add_operation(session, **queued_row(event, request, utcnow()))
    return await repo.progress(session, event.operation_id)


def queued_row(event: OperationRequested | OperationApproved, request: dict, now) -> dict:
    """A new row of the read model: queued, as the event describes it, with the request as kept."""
    return {
        "id": event.operation_id,
        "user_id": event.user_id,
        "kind": event.kind,
        "domain": event.domain,
        "status": "queued",
        "progress": 0.0,
        "provider": event.provider,
        "model": event.model,
        "units": event.units,
        "request": request,
        "outputs": [],
        "source_asset_id": event.source_asset_id,
        "batch_id": event.batch_id,
        "created_at": now,
        "updated_at": now,
    }


def new_operation_id() -> str:
    return new_id()
