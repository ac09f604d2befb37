"""Billing's own database: accounts, immutable ledger entries and holds."""

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from studio_common.bus import service_metadata

metadata = service_metadata()

accounts = Table(
    "accounts",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("plan", String(32), nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    # Running totals kept under the account's row lock; entries and holds are the audit trail.
    Column("granted", BigInteger, nullable=False, default=0),
    Column("posted", BigInteger, nullable=False, default=0),
    Column("pending", BigInteger, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

entries = Table(
    "ledger_entries",
    metadata,
    Column("id", String(64), primary_key=True),  # derived from what caused it: replays collide
    Column("user_id", String(128), nullable=False, index=True),
    Column("entry_type", String(16), nullable=False),  # grant | topup | post
    Column("credits", BigInteger, nullable=False),  # + credit to the user, - charge
    Column("operation_id", String(64)),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

holds = Table(
    "holds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("operation_id", String(64), nullable=False, unique=True),
    Column("user_id", String(128), nullable=False),
    Column("domain", String(16), nullable=False),
    Column("batch_id", String(64)),
    Column("kind", String(64), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("model", String(128), nullable=False),
    Column("quota_category", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("units", Integer, nullable=False),
    Column("unit_credits", Integer, nullable=False),
    Column("credits", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # pending | posted | voided | expired
    Column("started", Boolean, nullable=False, default=False),
    Column("units_delivered", Integer, nullable=False, default=0),
    Column("charged", BigInteger, nullable=False, default=0),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    # The running worker's lease, renewed by its heartbeats; a lapsed lease re-queues the operation.
    Column("claimed_by", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    Column("requeues", Integer, nullable=False, default=0, server_default="0"),
    # The approved request, so that billing can queue it again for another worker.
    Column("request", JSON),
    Index("ix_holds_user_period", "user_id", "period_start"),
    Index("ix_holds_status_expiry", "status", "expires_at"),
)

# What each account's holds of a period count towards its plan's quotas and spend cap, per quota category
# (ledger.counted), moved with every hold placed or resolved: a reservation reads one row per category
# instead of summing the user's holds.
period_usage = Table(
    "period_usage",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("period_start", DateTime(timezone=True), primary_key=True),
    Column("quota_category", String(16), primary_key=True),
    Column("units", BigInteger, nullable=False),
    Column("credits", BigInteger, nullable=False),
)

# A cancel that overtakes its request (the request is then turned down instead of approved), or that
# arrives while a worker runs it (the worker stops at its next step; see Billing.claim).
cancellations = Table(
    "cancellations",
    metadata,
    Column("operation_id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Every message that reached a service's dead-letter queue, and what was done about it: resolved (its
# operation was given a final state), parked (an operator must look: nothing automatic is safe), replayed.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", String(64), primary_key=True),  # derived from the queue and the message id
    Column("queue", String(64), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("operation_id", String(64)),
    Column("message_id", String(64)),
    Column("reason", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolution", Text, nullable=False),
    Column("times", Integer, nullable=False, default=1),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Index("ix_dead_letters_status", "status", "last_seen"),
)

# One reservation for a whole batch: its rows' holds are drawn from `remaining_*` (never from the free
# balance); what is left is released once, when the batch ends or is canceled. Pending batch holds count
# towards the account's pending credits, spend and quotas like ordinary holds.
batch_holds = Table(
    "batch_holds",
    metadata,
    Column("id", String(64), primary_key=True),  # derived by the batch service: a repeated confirm collides
    Column("batch_id", String(64), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # pending | released
    Column("credits", BigInteger, nullable=False),
    Column("remaining_credits", BigInteger, nullable=False),
    Column("remaining_images", Integer, nullable=False),
    Column("remaining_edits", Integer, nullable=False),
    Column("remaining_videos", Integer, nullable=False),
    Column("released_credits", BigInteger, nullable=False, default=0),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Index("ix_batch_holds_batch_status", "batch_id", "status"),
    Index("ix_batch_holds_user_period", "user_id", "period_start"),
)
