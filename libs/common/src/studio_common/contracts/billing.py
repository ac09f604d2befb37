"""Billing's internal API (`/internal/...`): grants, plan changes and estimates the gateway sends."""

from typing import Literal

from pydantic import BaseModel, Field

from studio_common.auth import SUBJECT_PATTERN

# The scopes a caller's service token may carry for billing (studio_common.service_auth).
READ, ADMIN, CLAIM, CATALOG = "accounts.read", "accounts.admin", "holds.claim", "catalog.read"
DEAD_LETTERS = "dead-letters.operate"  # `studio dlq`, run by an operator with the gateway's key
BATCH_HOLDS = "batch-holds"  # the batch service reserves, draws and releases whole batches

PlanName = Literal["free", "basic", "pro", "enterprise"]
GRANT_ID_MAX_CHARS = 128


class GrantFields(BaseModel):
    user_id: str = Field(pattern=SUBJECT_PATTERN.pattern, description="the account's user id")
    credits: int = Field(gt=0, le=10_000_000)
    reason: str = Field(min_length=1, max_length=500)


class GrantBody(GrantFields):  # an administrator's grant as the gateway takes it
    grant_id: str | None = Field(
        None, max_length=GRANT_ID_MAX_CHARS, description="makes a retried grant count once"
    )


class Grant(GrantFields):  # a grant as billing records it: the gateway gave it a grant id
    grant_id: str = Field(
        min_length=1, max_length=GRANT_ID_MAX_CHARS, description="idempotency key of the grant"
    )


class PlanBody(BaseModel):
    plan: PlanName


class EstimateBody(BaseModel):
    """Price `units` of one kind at a chosen provider and model, for the user the token names."""

    kind: str
    provider: str
    model: str
    units: int = Field(1, ge=1, le=10_000)


class ClaimBody(BaseModel):
    worker: str = Field("", max_length=64, description="the claiming worker's instance id (its lease)")


MAX_CLAIMS_PER_CALL = 64


class ClaimsBody(ClaimBody):
    """A worker's claims that arrived together, answered in one call and one transaction."""

    operation_ids: list[str] = Field(min_length=1, max_length=MAX_CLAIMS_PER_CALL)
