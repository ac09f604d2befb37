"""Telling a batch's owner what happened: notifications are written in the transaction of the change they
report (an outbox), then a delivery loop sends them, records every attempt, and retries with back-off for a
day. A notification keeps its id across retries: it is the webhook-id a receiver deduplicates on.
"""

import asyncio
from datetime import datetime, timedelta

from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import async_sessionmaker

from studio_batch.adapters import notification_store as store
from studio_batch.adapters import repository as repo
from studio_batch.adapters.notifiers import Delivery, Notice, Notifiers
from studio_batch.domain.addresses import Allowlist
from studio_batch.domain.notices import EVENT_KINDS, RetryPolicy, parse_notify, webhook_body
from studio_batch.domain.webhooks import new_secret
from studio_batch.schedule_notify_settings import NotificationSettings
from studio_common.db import Executor
from studio_common.ids import as_utc, derived_id, new_id, utcnow

# A claimed notification is left alone by other replicas this long: longer than any send may take.
CLAIM_LEASE = timedelta(minutes=5)
CHANNELS = (("email", "email"), ("webhook", "webhook_url"))
DEFAULT_POLICY = RetryPolicy()
ATTEMPTS = Counter(
    "studio_batch_notification_attempts_total", "Notification delivery attempts", ["channel", "outcome"]
)
SEND_SECONDS = Histogram(
    "studio_batch_notification_send_seconds",
    "Time to send one notification",
    ["channel"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def prepare_notify(spec: object, settings: NotificationSettings) -> tuple[dict, str | None]:
    """Validate a submitted `notify` and give a webhook its secret. Returns what to store with the batch
    and the secret to show once; raises NotifyError (a 422 naming the field)."""
    parsed = parse_notify(spec, Allowlist.parse(settings.webhook_allowed_hosts))
    secret = new_secret() if parsed.get("webhook_url") else None
    return ({**parsed, "webhook_secret": secret} if secret else parsed), secret


def public_notify(stored: dict | None) -> dict | None:
    """A stored `notify` as its owner may see it again: without the secret."""
    return {k: v for k, v in stored.items() if k != "webhook_secret"} if stored else stored


async def enqueue(
    session: Executor,
    batch_id: str,
    user_id: str,
    event_kind: str,
    payload: dict,
    notify_spec: dict | None,
    *,
    key: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Queue one notification per channel in `notify_spec`; with `key`, enqueuing the same event again
    (a replayed message) adds nothing. Returns the notification ids."""
    if event_kind not in EVENT_KINDS:
        raise ValueError(f"unknown notification event {event_kind!r}; one of {', '.join(EVENT_KINDS)}")
    now = now or utcnow()
    body = webhook_body(event_kind, payload, now)
    ids = []
    for channel, field in CHANNELS:
        target = (notify_spec or {}).get(field)
        if not target:
            continue
        if channel == "webhook" and not notify_spec.get("webhook_secret"):
            raise ValueError("a webhook needs the batch's webhook_secret (see prepare_notify)")
        notification_id = derived_id("notification", batch_id, event_kind, channel, key) if key else new_id()
        ids.append(notification_id)
        if await store.exists(session, notification_id):
            continue
        await store.add(
            session,
            id=notification_id,
            batch_id=batch_id,
            user_id=user_id,
            event_kind=event_kind,
            channel=channel,
            target=target,
            secret=notify_spec.get("webhook_secret") if channel == "webhook" else None,
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + timedelta(days=1),
            created_at=now,
        )
    return ids


async def enqueue_for(session: Executor, batch, event_kind: str) -> list[str]:
    """Queue `event_kind` for a batch row, with the batch's summary as payload. Keyed by the batch's state
    and reservation: a batch that ends again after a retry of its failed rows notifies again."""
    payload = {
        "batch_id": batch["id"],
        "name": batch["name"],
        "state": batch["state"],
        "schedule_id": batch["schedule_id"],
        "run_id": batch["run_id"],
        "total_rows": batch["total_rows"],
        "counts": await repo.row_counts(session, batch["id"]),
        "reserved_credits": batch["reserved_credits"],
        "released_credits": batch["released_credits"],
        "started_at": batch["started_at"],
        "finished_at": batch["finished_at"],
    }
    return await enqueue(
        session,
        batch["id"],
        batch["user_id"],
        event_kind,
        payload,
        batch["notify"],
        key=f"{batch['state']}:{batch['reservation']}",
    )


def retry_policy(settings: NotificationSettings) -> RetryPolicy:
    return RetryPolicy(
        base=timedelta(seconds=settings.notify_retry_base_seconds),
        cap=timedelta(seconds=settings.notify_retry_max_seconds),
        give_up_after=timedelta(seconds=settings.notify_give_up_after_seconds),
    )


async def deliver_due(
    sessions: async_sessionmaker,
    now: datetime,
    notifiers: Notifiers,
    policy: RetryPolicy = DEFAULT_POLICY,
    limit: int = 20,
) -> int:
    """Send what is due; returns how many were tried. Sends happen outside any transaction: a slow
    receiver never holds a database lock, and the claim's lease keeps other replicas off meanwhile."""
    claimed = await _claim(sessions, now, limit)
    if not claimed:
        return 0
    results = await asyncio.gather(*(notifiers.send(notice) for notice, _ in claimed))
    async with sessions() as session, session.begin():
        for (_notice, row), delivery in zip(claimed, results, strict=True):
            await _record(session, row, delivery, now, policy)
    return len(claimed)


async def _claim(sessions: async_sessionmaker, now: datetime, limit: int) -> list[tuple[Notice, dict]]:
    async with sessions() as session, session.begin():
        rows = await store.due(session, now, limit)
        for row in rows:
            await store.change(
                session, row["id"], attempts=row["attempts"] + 1, next_attempt_at=now + CLAIM_LEASE
            )
    return [
        (Notice(row["id"], row["channel"], row["target"], row["body"], row["secret"]), dict(row))
        for row in rows
    ]


async def _record(
    session: Executor, row: dict, delivery: Delivery, now: datetime, policy: RetryPolicy
) -> None:
    attempt = row["attempts"] + 1
    values: dict = {"last_error": delivery.error}
    if delivery.delivered:
        outcome, values = "delivered", {"status": "delivered", "delivered_at": now, "last_error": None}
    else:
        retry_at = (
            None if delivery.permanent else policy.next_attempt(attempt, now, as_utc(row["give_up_at"]))
        )
        outcome = "retrying" if retry_at else "failed"
        values["status"] = "pending" if retry_at else "failed"
        if retry_at:
            values["next_attempt_at"] = retry_at
        elif not delivery.permanent:
            values["last_error"] = f"{delivery.error}; gave up after {attempt} attempts over a day"
    await store.change(session, row["id"], **values)
    ATTEMPTS.labels(row["channel"], outcome).inc()
    SEND_SECONDS.labels(row["channel"]).observe(delivery.duration_ms / 1000)
    await store.add_attempt(
        session,
        notification_id=row["id"],
        attempt=attempt,
        batch_id=row["batch_id"],
        started_at=now,
        duration_ms=delivery.duration_ms,
        status_code=delivery.status_code,
        error=delivery.error,
        outcome=outcome,
    )


async def deliveries_for_batch(session: Executor, batch_id: str) -> list[dict]:
    """The batch's notifications, each with its attempts: shown on GET /batches/{id}."""
    rows, attempts = await store.of_batch(session, batch_id)
    by_notification: dict[str, list[dict]] = {}
    for attempt in attempts:
        by_notification.setdefault(attempt["notification_id"], []).append(
            {
                k: attempt[k]
                for k in ("attempt", "started_at", "duration_ms", "status_code", "error", "outcome")
            }
        )
    shown = (
        "id",
        "event_kind",
        "channel",
        "target",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "created_at",
    )
    return [
        {
            **{k: row[k] for k in shown},
            "next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None,
            "attempt_log": by_notification.get(row["id"], []),
        }
        for row in rows
    ]
