"""The outbox and inbox tables as every service's first Alembic migration (0001) creates and drops them.

Written once for all services' migrations. This is the schema as of revision 0001 and must stay exactly
that: databases already migrated hold these tables. A change to the tables in outbox.py or inbox.py
gets a new migration of its own in each service, never an edit here.

Call these only from inside a migration (they use Alembic's `op`)."""

import sqlalchemy as sa
from alembic import op


def create_inbox_table() -> None:
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox")),
    )


def create_outbox_table() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("routing_key", sa.String(length=128), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["sent", "created_at"], unique=False)


def drop_inbox_table() -> None:
    op.drop_table("inbox")


def drop_outbox_table() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent")

    op.drop_table("outbox")
