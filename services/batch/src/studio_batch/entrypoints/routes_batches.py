"""The batch service's internal HTTP API. The gateway calls it with a service token naming the user it
authenticated (entrypoints/callers.py); every batch is looked up within that user's own."""

from datetime import datetime

from fastapi import APIRouter, HTTPException, Query, Request

from studio_batch.adapters import repository as repo
from studio_batch.adapters.billing import BillingRefused, BillingUnavailable
from studio_batch.domain.schedule import ScheduleError, next_fires, parse_schedule
from studio_batch.entrypoints.callers import UserId
from studio_batch.service_layer import control, dispatch, drafts, queries
from studio_batch.service_layer.drafts import BatchConflict, BatchNotFound, TooManyRows
from studio_common.contracts.batches import ConfirmBody, NewBatch, Rows
from studio_common.ids import utcnow

router = APIRouter(prefix="/internal/batches")
STATUS_FOR = {BatchNotFound: 404, BatchConflict: 409, TooManyRows: 413, BillingUnavailable: 503}


def checked_schedule(spec: dict | None) -> dict | None:
    """A submitted schedule, normalised; a named 422 when it cannot be honoured."""
    if spec is None:
        return None
    try:
        return parse_schedule(spec, utcnow()).as_spec()
    except ScheduleError as exc:
        raise HTTPException(422, {"errors": [exc.as_dict()]}) from exc


def _state(request: Request):
    return request.app.state


async def _in_transaction(request: Request, action, *args):
    try:
        async with _state(request).runtime.transaction() as session:
            return await action(session, *args)
    except tuple(STATUS_FOR) as exc:
        raise HTTPException(STATUS_FOR[type(exc)], str(exc)) from exc


async def _call(action, *args):
    try:
        return await action(*args)
    except BillingRefused as exc:
        raise HTTPException(409 if exc.status == 409 else 422, exc.detail) from exc
    except tuple(STATUS_FOR) as exc:
        raise HTTPException(STATUS_FOR[type(exc)], str(exc)) from exc


@router.post("", status_code=201)
async def create(body: NewBatch, user_id: UserId, request: Request) -> dict:
    settings = _state(request).settings
    schedule = checked_schedule(body.schedule)
    extras = await _state(request).prepare_notify(body.notify)
    batch_id = await _in_transaction(
        request,
        drafts.create,
        user_id,
        body.name or "batch",
        body.concurrency or settings.default_concurrency,
        body.continue_on_error,
        schedule,
        extras.get("notify"),
    )
    shown = {k: v for k, v in extras.items() if k != "notify"}
    if schedule:
        fires = next_fires(parse_schedule(schedule, utcnow()), utcnow(), 5)
        shown["next_fire_times"] = [moment.isoformat() for moment in fires]
    return {"id": batch_id, **shown}


@router.post("/{batch_id}/rows")
async def add_rows(batch_id: str, body: Rows, user_id: UserId, request: Request) -> dict:
    total = await _in_transaction(
        request,
        drafts.add_rows,
        user_id,
        batch_id,
        [row.model_dump() for row in body.rows],
        _state(request).settings.batch_max_rows,
    )
    return {"total_rows": total}


@router.post("/{batch_id}/seal")
async def seal(batch_id: str, user_id: UserId, request: Request) -> dict:
    """Every row is in: price the valid ones (billing's preview) and answer the draft."""
    state = _state(request)
    batch = await _in_transaction(request, queries.get, user_id, batch_id)  # another user's is a 404 here
    async with state.runtime.transaction() as session:
        items = await repo.priced_items(session, batch_id, ("pending",))
    preview = await _call(state.billing.preview, user_id, items) if items else None
    if preview:
        limit = state.settings.plan_concurrency.get(preview["plan"], state.settings.default_concurrency)
        preview["max_concurrency"] = limit
        if batch["concurrency"] > limit:
            raise HTTPException(
                422,
                f"concurrency {batch['concurrency']} is more than the {preview['plan']} "
                f"plan allows ({limit})",
            )
    await _in_transaction(request, drafts.seal, user_id, batch_id, preview)
    return await _in_transaction(request, queries.get, user_id, batch_id)


@router.delete("/{batch_id}")
async def discard(batch_id: str, user_id: UserId, request: Request) -> dict:
    await _in_transaction(request, drafts.discard, user_id, batch_id)
    return {"deleted": batch_id}


@router.get("")
async def list_batches(
    request: Request,
    user_id: UserId,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
    schedule_id: str | None = None,
) -> dict:
    return await _in_transaction(request, queries.list_for, user_id, page, page_size, schedule_id)


@router.get("/{batch_id}")
async def get_batch(batch_id: str, user_id: UserId, request: Request) -> dict:
    return await _in_transaction(request, queries.get, user_id, batch_id)


@router.get("/{batch_id}/rows")
async def get_rows(
    batch_id: str,
    user_id: UserId,
    request: Request,
    status: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=queries.ROW_PAGE_MAX),
    changed_since: datetime | None = None,
) -> dict:
    return await _in_transaction(
        request, queries.rows, user_id, batch_id, status, page, page_size, changed_since
    )


@router.post("/{batch_id}/confirm")
async def confirm(batch_id: str, user_id: UserId, request: Request, body: ConfirmBody | None = None) -> dict:
    state = _state(request)
    skip_invalid = bool(body and body.skip_invalid)
    await _call(
        control.confirm, state.runtime, state.billing, user_id, batch_id, skip_invalid, state.schedule_batch
    )
    await dispatch.release_now(state.runtime, state.settings.dispatch_per_tick)
    return await _in_transaction(request, queries.get, user_id, batch_id)


@router.post("/{batch_id}/{action}")
async def act(batch_id: str, action: str, user_id: UserId, request: Request) -> dict:
    state = _state(request)
    if action == "retry":
        retried = await _call(control.retry, state.runtime, state.billing, user_id, batch_id)
        await dispatch.release_now(state.runtime, state.settings.dispatch_per_tick)
        return {**await _in_transaction(request, queries.get, user_id, batch_id), "retried_rows": retried}
    handler = {"pause": control.pause, "resume": control.resume, "cancel": control.cancel}.get(action)
    if handler is None:
        raise HTTPException(404, f"unknown action {action!r}: pause, resume, cancel or retry")
    await _call(handler, state.runtime, user_id, batch_id)
    if action == "resume":
        await dispatch.release_now(state.runtime, state.settings.dispatch_per_tick)
    return await _in_transaction(request, queries.get, user_id, batch_id)
