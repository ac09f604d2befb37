"""Dead letters resolved, never forgotten: every message that reached a `<queue>.dlq` is recorded, and
its operation given a final state where that is safe. A request or approval that could not be processed
fails the operation (`internal_error`) with its hold voided; a settlement that could not be processed
voids the hold (the operation itself is already final); what concerns only a read model or the library
is parked for an operator, who can replay it (`studio dlq replay`) once the cause is fixed."""

import json
from datetime import UTC, datetime

from studio_billing.adapters import dead_letter_store as store
from studio_billing.adapters import holds as hold_store
from studio_billing.adapters import repository as repo
from studio_billing.domain.plans import quota_category
from studio_billing.service_layer.handlers import Billing, ids_of
from studio_common.db import Executor
from studio_common.events import (
    Envelope,
    EventData,
    OperationApproved,
    OperationCompleted,
    OperationFailed,
    OperationRequested,
    OperationSettled,
)
from studio_common.ids import derived_id, utcnow

ENDS_THE_OPERATION = (OperationRequested, OperationApproved)
SETTLES_MONEY = ("operation.completed", "operation.failed", "operation.canceled", "operation.expired")


async def record(
    session: Executor, billing: Billing, queue: str, body: bytes, headers: dict, message_id: str | None
) -> list[EventData]:
    """Record one dead letter and resolve it; returns the events its resolution emits."""
    now = utcnow()
    envelope = _parse(body)
    event_type = envelope.type if envelope else "unreadable"
    letter_id = derived_id("dead-letter", queue, message_id or body)
    times = await store.times_seen(session, letter_id)
    status, resolution, emitted = await _resolve(session, billing, queue, envelope)
    row = {"status": status, "resolution": resolution, "last_seen": now, "headers": _jsonable(headers)}
    if times:
        await store.change(session, letter_id, **row, times=times + 1)
    else:
        await store.add(
            session,
            id=letter_id,
            queue=queue,
            event_type=event_type,
            message_id=message_id,
            operation_id=envelope.subject if envelope else None,
            reason=_reason(headers),
            body=body.decode("utf-8", "replace"),
            first_seen=now,
            times=1,
            **row,
        )
    return emitted


async def _resolve(
    session: Executor, billing: Billing, queue: str, envelope: Envelope | None
) -> tuple[str, str, list[EventData]]:
    if envelope is None:
        return "parked", "the message is not a readable event: inspect it", []
    event = envelope.data
    if isinstance(event, ENDS_THE_OPERATION):
        failed = OperationFailed(
            **ids_of(event),
            code="internal_error",
            message=f"the operation could not be processed ({envelope.type} failed in "
            f"{queue}); nothing was charged",
        )
        if isinstance(event, OperationRequested) and await repo.hold_for(session, event.operation_id) is None:
            await _close_unpriced(session, event)
            # Nothing was reserved; saying so lets clients that wait for the money's final word stop waiting.
            nothing = OperationSettled(**ids_of(event), charged_credits=0, released_credits=0)
            return "resolved", "operation failed (internal_error) before it was priced", [failed, nothing]
        settled = await billing.resolve(session, failed, "voided", 0)
        hold = await repo.hold_for(session, event.operation_id)
        if not settled and hold is not None and hold["status"] == "posted":
            return "resolved", "the operation had already finished", []
        return "resolved", "operation failed (internal_error), hold voided", [failed, *settled]
    if envelope.type in SETTLES_MONEY and queue == "billing":
        note = " (outputs were delivered: not charged)" if isinstance(event, OperationCompleted) else ""
        settled = await billing.resolve(session, event, "voided", 0)
        return "resolved", f"hold voided{note}" if settled else "hold already resolved", settled
    return "parked", f"{envelope.type} in {queue} needs an operator: replay it once the cause is fixed", []


async def _close_unpriced(session: Executor, event: OperationRequested) -> None:
    """A request billing never priced gets a voided hold of nothing, so a replay cannot approve it."""
    now = utcnow()
    await hold_store.add(
        session,
        id=derived_id("hold", event.operation_id),
        operation_id=event.operation_id,
        user_id=event.user_id,
        domain=event.domain,
        batch_id=event.batch_id,
        kind=event.kind,
        provider=event.provider,
        model=event.model,
        quota_category=quota_category(event.kind),
        unit="image",
        units=event.units,
        unit_credits=0,
        credits=0,
        status="voided",
        started=False,
        units_delivered=0,
        charged=0,
        period_start=now,
        created_at=now,
        expires_at=now,
        resolved_at=now,
        requeues=0,
    )


async def listing(session: Executor, status: str | None, limit: int = 100) -> list[dict]:
    return [_public(row, with_body=False) for row in await store.latest(session, status, limit)]


async def one(session: Executor, letter_id: str) -> dict | None:
    row = await store.one(session, letter_id)
    return _public(row, with_body=True) if row else None


async def mark_replayed(session: Executor, letter_id: str) -> None:
    await store.change(session, letter_id, status="replayed", last_seen=utcnow())


async def counts(session: Executor) -> dict[tuple[str, str], int]:
    return await store.counts(session)


def _parse(body: bytes) -> Envelope | None:
    try:
        return Envelope.model_validate_json(body)
    except ValueError:
        return None


def _reason(headers: dict) -> str:
    deaths = headers.get("x-death") or []
    return str(deaths[0].get("reason", "unknown")) if deaths else "unknown"


def _jsonable(value):
    return json.loads(json.dumps(value, default=_plain))


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _public(row, with_body: bool) -> dict:
    keys = [
        "id",
        "queue",
        "event_type",
        "operation_id",
        "message_id",
        "reason",
        "status",
        "resolution",
        "times",
        "first_seen",
        "last_seen",
    ] + (["body", "headers"] if with_body else [])
    return {key: row[key] for key in keys}
