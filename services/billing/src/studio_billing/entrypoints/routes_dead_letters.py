"""Operators' view of dead letters (`studio dlq list|show|replay`): list, inspect, and replay one into the
queue it came from once its cause is fixed. Replaying is safe: every consumer is idempotent (I7)."""

import json

from fastapi import APIRouter, HTTPException, Request

from studio_billing.service_layer import dead_letters
from studio_common.contracts.billing import DEAD_LETTERS
from studio_common.service_auth import require_scope

router = APIRouter(prefix="/internal/dead-letters", dependencies=[require_scope(DEAD_LETTERS)])


@router.get("")
async def list_dead_letters(request: Request, status: str | None = None) -> list[dict]:
    async with request.app.state.runtime.transaction() as session:
        return await dead_letters.listing(session, status)


@router.get("/{letter_id}")
async def show_dead_letter(letter_id: str, request: Request) -> dict:
    async with request.app.state.runtime.transaction() as session:
        letter = await dead_letters.one(session, letter_id)
    if letter is None:
        raise HTTPException(404, f"no dead letter {letter_id}")
    return letter


@router.post("/{letter_id}/replay")
async def replay_dead_letter(letter_id: str, request: Request) -> dict:
    runtime = request.app.state.runtime
    async with runtime.transaction() as session:
        letter = await dead_letters.one(session, letter_id)
    if letter is None:
        raise HTTPException(404, f"no dead letter {letter_id}")
    queue = runtime.settings.queue_name(letter["queue"])
    body = letter["body"].encode()
    envelope = json.loads(body)
    await runtime.bus.publish_serialized(
        body,
        queue,
        envelope["id"],
        envelope["type"],
        envelope["subject"],
        envelope.get("traceparent"),
        exchange="",
    )
    async with runtime.transaction() as session:
        await dead_letters.mark_replayed(session, letter_id)
    return {"id": letter_id, "status": "replayed", "queue": letter["queue"]}
