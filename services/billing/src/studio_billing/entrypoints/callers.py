"""Who may call billing's internal API, with which scopes (studio_common.service_auth). A user's own
account is the user the gateway's token names, never an id from the request."""

from typing import Annotated

from fastapi import Path

from studio_common.auth import SUBJECT_PATTERN
from studio_common.contracts.billing import ADMIN, BATCH_HOLDS, CATALOG, CLAIM, DEAD_LETTERS, READ
from studio_common.service_auth import CallerPolicy, require_user

WORKER = frozenset({CLAIM})
POLICY: CallerPolicy = {
    "gateway": frozenset({READ, ADMIN, CATALOG, DEAD_LETTERS}),
    "batch": frozenset({BATCH_HOLDS}),
    "generation": WORKER,
    "editing": WORKER,
    "transform": WORKER,
}
AccountUser = Annotated[str, require_user(READ)]
TargetUser = Annotated[str, Path(pattern=SUBJECT_PATTERN.pattern)]
