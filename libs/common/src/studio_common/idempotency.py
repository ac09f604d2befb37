"""The Idempotency-Key request header: one type for every route that takes it, one length limit for the
header and the column that stores it."""

from typing import Annotated

from fastapi import Header

IDEMPOTENCY_KEY_MAX_LENGTH = 255

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=IDEMPOTENCY_KEY_MAX_LENGTH)]
