"""Notifications to send (an outbox written with the batch change that causes them) and every delivery
attempt, kept so that a user can see what happened to their webhook or email."""

from sqlalchemy import Column, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from studio_batch.adapters.tables import metadata

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(64), primary_key=True),  # also the webhook-id: the same on every retry
    Column("batch_id", String(64), nullable=False, index=True),
    Column("user_id", String(128), nullable=False),
    Column("event_kind", String(32), nullable=False),  # batch.completed | batch.failed | ...
    Column("channel", String(16), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # the address or the URL
    Column("secret", Text),  # the batch's whsec_ secret, for webhooks
    Column("body", Text, nullable=False),  # the exact JSON sent (and signed) on every attempt
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    # Also a lease: a sender moves it forward before sending, so another replica leaves the row alone.
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("give_up_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_notifications_due", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "notification_attempts",
    metadata,
    Column("notification_id", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("batch_id", String(64), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),  # HTTP status, or the SMTP reply code
    Column("error", Text),
    Column("outcome", String(16), nullable=False),  # delivered | retrying | failed
    PrimaryKeyConstraint("notification_id", "attempt"),
)
