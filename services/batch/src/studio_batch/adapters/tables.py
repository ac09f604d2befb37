"""The batch service's own database: batches, their rows (one operation each), and the batch's
reservations in billing. Schedules and notifications keep their tables beside these on the same
metadata (schedule_tables.py, notify_tables.py)."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from studio_common.bus import service_metadata

metadata = service_metadata()

batches = Table(
    "batches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("name", String(200), nullable=False),
    # draft | scheduled | running | paused | completed | completed_with_errors | failed | canceled
    Column("state", String(32), nullable=False),
    Column("concurrency", Integer, nullable=False),
    Column("continue_on_error", Boolean, nullable=False, default=True),
    Column("schedule", JSON),
    Column("notify", JSON),
    Column("schedule_id", String(64), index=True),  # the schedule a run belongs to
    Column("run_id", String(64), unique=True),  # derived from the schedule and the fire time
    Column("total_rows", Integer, nullable=False, default=0),
    Column("invalid_rows", Integer, nullable=False, default=0),
    Column("sealed", Boolean, nullable=False, default=False),  # every row received
    Column("preview", JSON),
    # The batch's reservations in billing: one per confirm or retry; at most one open at a time.
    Column("reservation", Integer, nullable=False, default=0),
    Column("hold_id", String(64)),
    Column("hold_open", Boolean, nullable=False, default=False),
    Column("reserved_credits", Integer, nullable=False, default=0),
    Column("released_credits", Integer, nullable=False, default=0),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("stop_reason", Text),  # why the batch stopped early (a failed row with continue_on_error off)
    Column("last_dispatch_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_batches_user_created", "user_id", "created_at"),
    Index("ix_batches_state", "state"),
)

batch_rows = Table(
    "batch_rows",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("row_number", Integer, nullable=False),  # 1-based, as in the submitted file
    Column("name", String(200), nullable=False, default=""),
    Column("kind", String(64), nullable=False, default=""),
    Column("domain", String(16), nullable=False, default="generation"),
    # What billing prices the row by (also inside `request`), as columns so a batch is priced in one query.
    Column("provider", String(64), nullable=False, default=""),
    Column("model", String(128), nullable=False, default=""),
    Column("units", Integer, nullable=False, default=1),
    # invalid | skipped | pending | queued | running | succeeded | failed | canceled
    Column("status", String(16), nullable=False),
    Column("attempt", Integer, nullable=False, default=1),
    Column("operation_id", String(64), unique=True),  # derived from batch, row and attempt once sent
    Column("request", JSON),  # the validated operation: provider, model, units, params, inputs, source
    Column("errors", JSON),  # validation problems: [{"field", "message"}]
    Column("error", Text),  # why the row failed or was canceled
    Column("outputs", JSON),
    Column("credits", Integer, nullable=False, default=0),  # charged for the current attempt
    Column("released_credits", Integer, nullable=False, default=0),  # reserved for it but not charged
    Column("history", JSON),  # earlier attempts: operation id, status, error, credits
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("batch_id", "row_number"),
    Index("ix_batch_rows_status", "batch_id", "status", "row_number"),
    Index("ix_batch_rows_updated", "batch_id", "updated_at"),
)

# Importing them registers their tables on this metadata (they import `metadata` from here), so the schema,
# migrations and tests always see the whole database.
from studio_batch.adapters import notify_tables, schedule_tables  # noqa: E402, F401
