"""Submitting operations and reading them back: the write side (operation + outbox event + idempotency
key in one transaction) and the read model folded from events."""

import hashlib
import json
from datetime import timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from studio_common.events import (
    FINAL_STATUSES,
    EventData,
    OperationApproved,
    OperationCancelRequested,
    OperationRequested,
)
from studio_common.ids import as_utc, new_id, utcnow
from studio_common.runtime import ServiceRuntime
from studio_gateway.adapters.tables import idempotency_keys, operations
from studio_gateway.domain.read_model import fold


class IdempotencyConflict(Exception):
    pass


def request_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def accepted(operation_id: str) -> dict:
    base = f"/api/image-studio/operations/{operation_id}"
    return {
        "operation_id": operation_id,
        "status": "queued",
        "status_url": base,
        "events_url": f"{base}/events",
    }


async def submit(
    runtime: ServiceRuntime,
    request: OperationRequested,
    public_request: dict,
    idempotency_key: str | None,
    ttl: timedelta,
) -> dict:
    """Record the operation and its `operation.requested` event together; replay a retried request."""
    body_hash = request_hash(public_request)
    try:
        async with runtime.sessions() as session, session.begin():
            if idempotency_key:
                replay = await _replay(session, request.user_id, idempotency_key, body_hash, ttl)
                if replay is not None:
                    return replay
            answer = accepted(request.operation_id)
            now = utcnow()
            await session.execute(
                operations.insert().values(
                    id=request.operation_id,
                    user_id=request.user_id,
                    kind=request.kind,
                    domain=request.domain,
                    status="queued",
                    progress=0.0,
                    provider=request.provider,
                    model=request.model,
                    units=request.units,
                    request=public_request,
                    outputs=[],
                    source_asset_id=request.source_asset_id,
                    batch_id=request.batch_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            if idempotency_key:
                await session.execute(
                    idempotency_keys.insert().values(
                        user_id=request.user_id,
                        key=idempotency_key,
                        request_hash=body_hash,
                        operation_id=request.operation_id,
                        response=answer,
                        created_at=now,
                    )
                )
            await runtime.emit(session, request)
    except IntegrityError:
        if not idempotency_key:
            raise
        # The same key raced in from a parallel retry: answer as the winner did.
        async with runtime.sessions() as session, session.begin():
            replay = await _replay(session, request.user_id, idempotency_key, body_hash, ttl)
        if replay is None:
            raise
        return replay
    runtime.relay.wake()
    return answer


async def _replay(
    session: AsyncSession, user_id: str, key: str, body_hash: str, ttl: timedelta
) -> dict | None:
    row = (
        (
            await session.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    if as_utc(row["created_at"]) < utcnow() - ttl:
        await session.execute(
            idempotency_keys.delete().where(
                idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key
            )
        )
        return None
    if row["request_hash"] != body_hash:
        raise IdempotencyConflict(f"Idempotency-Key {key!r} was used for a different request")
    return row["response"]


async def get(session: AsyncSession, user_id: str, operation_id: str):
    """The user's own operation, or None: another user's id looks exactly like a missing one (I6)."""
    return (
        (
            await session.execute(
                select(operations).where(operations.c.id == operation_id, operations.c.user_id == user_id)
            )
        )
        .mappings()
        .first()
    )


async def list_for(
    session: AsyncSession, user_id: str, page: int, page_size: int, status: str | None, kind: str | None
) -> tuple[list, int]:
    where = [operations.c.user_id == user_id]
    if status:
        where.append(operations.c.status == status)
    if kind:
        where.append(operations.c.kind == kind)
    total = await session.scalar(select(func.count()).select_from(operations).where(*where))
    rows = (
        (
            await session.execute(
                select(operations)
                .where(*where)
                .order_by(operations.c.created_at.desc(), operations.c.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        )
        .mappings()
        .all()
    )
    return list(rows), total


# A running operation stops before its next step (variation); one already in its last step finishes.
CANCELABLE = ("queued", "approved", "running")


async def request_cancel(runtime: ServiceRuntime, user_id: str, operation_id: str) -> str | None:
    """Ask billing to cancel; returns the status seen, or None if the operation is not the user's."""
    async with runtime.sessions() as session, session.begin():
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


async def apply_event(session: AsyncSession, event: EventData) -> list[EventData]:
    """Fold one event into the read model. Idempotent by itself (statuses only move forward, see
    domain/read_model.py), so the gateway needs no inbox record per event. A batch row enters the read
    model when billing approves it (the batch service, not the gateway, requested it)."""
    query = select(operations.c.status, operations.c.progress).where(operations.c.id == event.operation_id)
    row = (await session.execute(query.with_for_update())).first()
    if row is None and isinstance(event, OperationApproved) and event.batch_id:
        row = await _add_batch_row(session, event)
    if row is None:
        return []  # an operation another gateway deployment owns, or not yet visible: nothing to fold
    changes = fold(row.status, row.progress, event)
    if changes:
        now = utcnow()
        if changes.get("status") in FINAL_STATUSES:
            changes["finished_at"] = now
        # The changed columns as parameters of one prebuilt statement: no clause built per event.
        await session.execute(_FOLD, {**changes, "updated_at": now, "operation": event.operation_id})
    return []


_FOLD = update(operations).where(operations.c.id == bindparam("operation"))


async def _add_batch_row(session: AsyncSession, event: OperationApproved):
    """A batch row's operation, which the batch service submitted: it enters the read model when billing
    approves it, so it is listed and followed like any other operation."""
    now = utcnow()
    request = {"kind": event.kind, "batch_id": event.batch_id, "batch_row": event.batch_row, **event.params}
    await session.execute(
        operations.insert().values(
            id=event.operation_id,
            user_id=event.user_id,
            kind=event.kind,
            domain=event.domain,
            status="queued",
            progress=0.0,
            provider=event.provider,
            model=event.model,
            units=event.units,
            request=request,
            outputs=[],
            source_asset_id=event.source_asset_id,
            batch_id=event.batch_id,
            created_at=now,
            updated_at=now,
        )
    )
    return (
        await session.execute(
            select(operations.c.status, operations.c.progress).where(operations.c.id == event.operation_id)
        )
    ).first()


def new_operation_id() -> str:
    return new_id()
