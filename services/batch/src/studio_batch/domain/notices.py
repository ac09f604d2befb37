"""What a notification says and when a failed one is tried again: pure rules, no I/O."""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from studio_batch.domain.addresses import Allowlist

EVENT_KINDS = ("batch.completed", "batch.failed", "batch.canceled", "schedule.run_started")
EMAIL = re.compile(r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[^@\s<>,;:\"]+$")
MAX_URL_LENGTH = 2000


class NotifyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = f"notify.{field}"


def parse_notify(spec: object, allowlist: Allowlist) -> dict:
    """The validated `notify` of a submitted batch: {"email"?, "webhook_url"?}.

    Only the form is checked here; where the webhook's host points is checked at every send, because a
    DNS answer given now may not be the one given then.
    """
    if not isinstance(spec, dict) or set(spec) - {"email", "webhook_url"}:
        raise NotifyError("", "notify takes an object with 'email' and/or 'webhook_url'")
    parsed = {}
    if spec.get("email") is not None:
        email = spec["email"]
        if not isinstance(email, str) or len(email) > 254 or not EMAIL.match(email):
            raise NotifyError("email", "email is not an email address")
        parsed["email"] = email
    if spec.get("webhook_url") is not None:
        parsed["webhook_url"] = check_webhook_url(spec["webhook_url"], allowlist)
    return parsed


def check_webhook_url(url: object, allowlist: Allowlist) -> str:
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise NotifyError("webhook_url", "webhook_url must be a URL of at most 2000 characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise NotifyError("webhook_url", "webhook_url is not a valid URL") from None
    if not parts.hostname:
        raise NotifyError("webhook_url", "webhook_url has no host")
    if parts.username or parts.password:
        raise NotifyError("webhook_url", "webhook_url may not carry a user name or password")
    if parts.scheme != "https" and not (parts.scheme == "http" and allowlist.allows_host(parts.hostname)):
        raise NotifyError("webhook_url", "webhook_url must use https")
    return url


def webhook_body(event_kind: str, payload: dict, now: datetime) -> str:
    """The JSON sent, in the envelope the Standard Webhooks spec suggests; compact and stored as sent,
    because the signature covers these exact bytes."""
    return json.dumps(
        {"type": event_kind, "timestamp": now.isoformat(), "data": payload},
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )


_SUBJECTS = {
    "batch.completed": "Batch “{name}” completed",
    "batch.failed": "Batch “{name}” failed",
    "batch.canceled": "Batch “{name}” was canceled",
    "schedule.run_started": "Scheduled run of “{name}” started",
}


def email_text(body: str) -> tuple[str, str]:
    """Subject and plain-text body of the email for a stored notification body."""
    envelope = json.loads(body)
    data = envelope["data"]
    name = str(data.get("name") or data.get("batch_id") or "batch")
    subject = _SUBJECTS.get(envelope["type"], envelope["type"]).format(name=name)
    if data.get("state") == "completed_with_errors":
        subject += " with errors"
    lines = [subject, ""]
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        lines.append(f"{key.replace('_', ' ')}: {value}")
    lines += ["", f"Event: {envelope['type']} at {envelope['timestamp']}"]
    return subject, "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off from `base` doubling up to `cap`, for `give_up_after` in all."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(days=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1 for the first)."""
        return min(self.cap, self.base * 2 ** min(max(attempts - 1, 0), 30))

    def next_attempt(self, attempts: int, now: datetime, give_up_at: datetime) -> datetime | None:
        """When to try again, or None: the day is over."""
        moment = now + self.delay(attempts)
        return moment if moment <= give_up_at else None
