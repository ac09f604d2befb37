"""running usage per account period

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_usage",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quota_category", sa.String(length=16), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "period_start", "quota_category", name=op.f("pk_period_usage")),
    )
    # What the holds already placed count, as ledger.counted says at this revision: a pending hold what
    # it reserved, a posted one what it delivered and charged; a video counts once whatever its length.
    op.execute(
        """
        INSERT INTO period_usage (user_id, period_start, quota_category, units, credits)
        SELECT user_id, period_start, quota_category,
               SUM(CASE WHEN unit = 'second'
                        THEN CASE WHEN (CASE WHEN status = 'pending' THEN units ELSE units_delivered END) > 0
                                  THEN 1 ELSE 0 END
                        ELSE CASE WHEN status = 'pending' THEN units ELSE units_delivered END END),
               SUM(CASE WHEN status = 'pending' THEN credits ELSE charged END)
        FROM holds
        WHERE status IN ('pending', 'posted')
        GROUP BY user_id, period_start, quota_category
        """
    )


def downgrade() -> None:
    op.drop_table("period_usage")
