"""Submitting operations: each one's row, idempotency key and `operation.requested` event in one
transaction, shared by the requests that arrive together."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from studio_common.db import Executor, is_sqlite
from studio_common.events import OperationRequested
from studio_common.group_commit import GroupCommit
from studio_common.ids import as_utc, utcnow
from studio_common.runtime import ServiceRuntime
from studio_gateway.adapters import repository as repo
from studio_gateway.service_layer.operations import queued_row


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


@dataclass(frozen=True, slots=True)
class PendingOperation:
    """One request to record (named apart from service_layer/studio.py's Submission, a studio's form)."""

    request: OperationRequested
    public_request: dict
    idempotency_key: str | None
    ttl: timedelta
    body_hash: str  # request_hash(public_request), what a replay under the same key must match


class Submissions:
    """Accepting operations: each one's row, idempotency key and `operation.requested` event commit
    together. On SQLite, requests that arrive while a transaction runs share the next one
    (group_commit.py): they queue for its one writer connection anyway, so a burst no longer commits
    them one by one. On PostgreSQL each is one statement that commits by itself (`insert_at_once`): one
    round trip to the server instead of four (BEGIN, two inserts, COMMIT), each of which waits its turn
    for a core under load; a keyed request looks its key up first, also without a transaction. A group
    that fails runs again one by one (a key raced in, a conflict)."""

    def __init__(self, runtime: ServiceRuntime, together: int = 32) -> None:
        self.runtime = runtime
        one_writer = is_sqlite(str(runtime.engine.url))
        self._group = GroupCommit(self._record_together, self._record_alone, together) if one_writer else None

    async def submit(
        self, request: OperationRequested, public_request: dict, idempotency_key: str | None, ttl: timedelta
    ) -> dict:
        """Record the operation and its event; a retried request replays its first answer."""
        pending = PendingOperation(
            request, public_request, idempotency_key, ttl, request_hash(public_request)
        )
        if self._group is not None:
            answer = await self._group.run(pending)
        else:
            answer = await self._record_at_once(pending)
        self.runtime.relay.wake()
        return answer

    async def _record_together(self, group: list[PendingOperation]) -> list[dict]:
        async with self.runtime.transaction() as session:
            return [await self._record(session, pending) for pending in group]

    async def _record_alone(self, pending: PendingOperation) -> dict:
        try:
            async with self.runtime.transaction() as session:
                return await self._record(session, pending)
        except IntegrityError as error:
            return await self._after_a_race(pending, error)

    async def _record_at_once(self, pending: PendingOperation) -> dict:
        if pending.idempotency_key:
            # The lookup (and forgetting an expired key) need no transaction: a key racing in meanwhile
            # fails the insert below, which then answers as the winner did.
            async with self.runtime.at_once() as connection:
                replay = await _replay(connection, pending)
            if replay is not None:
                return replay
        answer, rows = _new_rows(pending)
        try:
            await self.runtime.insert_at_once(rows, pending.request)
        except IntegrityError as error:
            return await self._after_a_race(pending, error)
        return answer

    async def _after_a_race(self, pending: PendingOperation, error: IntegrityError) -> dict:
        """The same key raced in from a parallel retry: answer as the winner did."""
        if not pending.idempotency_key:
            raise error
        async with self.runtime.transaction() as session:
            replay = await _replay(session, pending)
        if replay is None:
            raise error
        return replay

    async def _record(self, session: Executor, pending: PendingOperation) -> dict:
        if pending.idempotency_key:
            replay = await _replay(session, pending)
            if replay is not None:
                return replay
        answer, rows = _new_rows(pending)
        await repo.add_rows(session, rows)
        await self.runtime.emit(session, pending.request)
        return answer


def _new_rows(pending: PendingOperation) -> tuple[dict, list]:
    """The 202's answer, and the rows recording the operation (and its key)."""
    request, now = pending.request, utcnow()
    answer = accepted(request.operation_id)
    key = pending.idempotency_key and {
        "user_id": request.user_id,
        "key": pending.idempotency_key,
        "request_hash": pending.body_hash,
        "operation_id": request.operation_id,
        "response": answer,
        "created_at": now,
    }
    return answer, repo.new_operation_rows(queued_row(request, pending.public_request, now), key or None)


async def _replay(session: Executor | AsyncConnection, pending: PendingOperation) -> dict | None:
    """The first answer given under this request's key, or None if the key is new (or expired)."""
    user_id, key = pending.request.user_id, pending.idempotency_key
    row = await repo.idempotency_key(session, user_id, key)
    if row is None:
        return None
    if as_utc(row["created_at"]) < utcnow() - pending.ttl:
        await repo.forget_idempotency_key(session, user_id, key)
        return None
    if row["request_hash"] != pending.body_hash:
        raise IdempotencyConflict(f"Idempotency-Key {key!r} was used for a different request")
    return row["response"]
