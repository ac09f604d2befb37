"""Identifiers. Ids derived from an operation id make every redelivered message land on the same row."""

import uuid
from datetime import UTC, datetime

# What an id of a resource may look like wherever it arrives from outside (paths, bodies, form fields):
# ids travel into internal URLs and queries, so nothing else (slashes, control characters) gets through.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$"

_NAMESPACE = uuid.UUID("6f1d3c2e-5b0a-4f5e-9a57-3d4c8e1b2a90")


def new_id() -> str:
    return uuid.uuid4().hex


def derived_id(*parts: object) -> str:
    return uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)).hex


def asset_id_for(operation_id: str, output_index: int) -> str:
    return derived_id("asset", operation_id, output_index)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
