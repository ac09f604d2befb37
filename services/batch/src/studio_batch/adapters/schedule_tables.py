"""Schedules and the record of every fire: run, skipped because the previous run was still going, or
missed."""

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from studio_batch.adapters.tables import metadata

schedules = Table(
    "schedules",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("batch_id", String(64), nullable=False),  # the submitted batch each run copies
    Column("kind", String(8), nullable=False),  # at | cron
    Column("spec", JSON, nullable=False),  # the validated, normalised schedule
    Column("state", String(16), nullable=False),  # active | paused | finished | deleted
    # Due when next_fire_at <= now; replicas claim due schedules with FOR UPDATE SKIP LOCKED.
    Column("next_fire_at", DateTime(timezone=True)),
    # Every fire up to this instant has been run, skipped or recorded as missed.
    Column("fired_through", DateTime(timezone=True), nullable=False),
    Column("missed_count", Integer, nullable=False, default=0),
    Column("last_run_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_schedules_due", "state", "next_fire_at"),
    Index("ix_schedules_user", "user_id", "created_at"),
)

schedule_fires = Table(
    "schedule_fires",
    metadata,
    # Derived from the schedule and the fire time: a second attempt at the same fire collides here.
    Column("run_id", String(64), primary_key=True),
    Column("schedule_id", String(64), nullable=False),
    Column("fire_time", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),  # started | skipped | missed
    Column("reason", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("schedule_id", "fire_time"),
    Index("ix_schedule_fires_schedule", "schedule_id", "fire_time"),
)
