"""The gateway's own database: the operations read model and the idempotency keys."""

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, String, Table, Text

from studio_common.bus import service_metadata
from studio_common.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH

metadata = service_metadata()

operations = Table(
    "operations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("domain", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False, default=0.0),
    Column("provider", String(64), nullable=False),
    Column("model", String(128), nullable=False),
    Column("units", Integer, nullable=False),
    Column("request", JSON, nullable=False),
    Column("estimated_credits", Integer),
    Column("reserved_credits", Integer),
    Column("charged_credits", Integer),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("error_details", JSON),
    Column("outputs", JSON, nullable=False, default=list),
    Column("source_asset_id", String(64)),
    Column("batch_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_operations_user_created", "user_id", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("key", String(IDEMPOTENCY_KEY_MAX_LENGTH), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("operation_id", String(64), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

personas = Table(
    "personas",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("brand_colors", JSON, nullable=False, default=list),
    Column("style_preset", String(100)),
    Column("subject_keywords", JSON, nullable=False, default=list),
    Column("avoid_words", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
