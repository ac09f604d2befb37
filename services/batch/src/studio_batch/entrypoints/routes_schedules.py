"""Schedules and notifications in the running service: the internal schedule API, the timers that fire due
schedules and deliver notifications, and the hooks the batch API calls when a batch is submitted.

    install(app, runtime, settings, start_run)

wires all of it; `start_run(session, schedule_row, fire_time, run_id)` is the batch core's way to begin a
run (for an `at` schedule, the submitted batch itself; for a cron schedule, a new batch with id `run_id`).
"""

from fastapi import APIRouter, FastAPI, HTTPException, Request

from studio_batch.adapters.notifiers import Notifiers
from studio_batch.domain.notices import NotifyError
from studio_batch.entrypoints.callers import UserId
from studio_batch.schedule_notify_settings import NotificationSettings
from studio_batch.service_layer import notifications, scheduling
from studio_common.ids import utcnow
from studio_common.runtime import ServiceRuntime

router = APIRouter(prefix="/internal/batch-schedules")
STATUS_FOR = {scheduling.ScheduleNotFound: 404, scheduling.ScheduleConflict: 409}


async def _in_transaction(request: Request, action, *args):
    try:
        async with request.app.state.runtime.transaction() as session:
            return await action(session, *args, utcnow())
    except tuple(STATUS_FOR) as exc:
        raise HTTPException(STATUS_FOR[type(exc)], str(exc)) from exc


@router.get("")
async def list_schedules(user_id: UserId, request: Request) -> dict:
    return await _in_transaction(request, scheduling.list_schedules, user_id)


@router.get("/{schedule_id}")
async def get_schedule(schedule_id: str, user_id: UserId, request: Request) -> dict:
    return await _in_transaction(request, scheduling.get_schedule, user_id, schedule_id)


@router.post("/{schedule_id}/pause")
async def pause(schedule_id: str, user_id: UserId, request: Request) -> dict:
    return await _in_transaction(request, scheduling.pause_schedule, user_id, schedule_id)


@router.post("/{schedule_id}/resume")
async def resume(schedule_id: str, user_id: UserId, request: Request) -> dict:
    return await _in_transaction(request, scheduling.resume_schedule, user_id, schedule_id)


@router.delete("/{schedule_id}")
async def delete(schedule_id: str, user_id: UserId, request: Request) -> dict:
    await _in_transaction(request, scheduling.delete_schedule, user_id, schedule_id)
    return {"deleted": schedule_id}


def notify_hook(settings: NotificationSettings):
    """The batch API's `prepare_notify`: the stored notify (with its secret) and the secret to show once."""

    async def prepare(notify: dict | None) -> dict:
        if notify is None:
            return {"notify": None}
        try:
            stored, secret = notifications.prepare_notify(notify, settings)
        except NotifyError as exc:
            raise HTTPException(
                422, {"errors": [{"code": "bad_notify", "field": exc.field, "message": str(exc)}]}
            ) from exc
        return {"notify": stored, **({"webhook_secret": secret} if secret else {})}

    return prepare


def install(
    app: FastAPI, runtime: ServiceRuntime, settings: NotificationSettings, start_run: scheduling.StartRun
) -> None:
    app.include_router(router)
    app.state.prepare_notify = notify_hook(settings)

    async def schedule_batch(session, batch) -> dict:
        return await scheduling.create_schedule(session, batch, utcnow())

    app.state.schedule_batch = schedule_batch

    async def fire_due() -> None:
        async with runtime.transaction() as session:
            await scheduling.fire_due(session, utcnow(), start_run)

    notifiers, policy = Notifiers(settings), notifications.retry_policy(settings)

    async def deliver_due() -> None:
        await notifications.deliver_due(runtime.sessions, utcnow(), notifiers, policy)

    runtime.every(settings.schedule_interval_seconds, fire_due)
    runtime.every(settings.notify_interval_seconds, deliver_due)
