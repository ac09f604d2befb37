"""Who may call the batch service's internal API: only the gateway, with a service token
(studio_common.service_auth) that names the user it authenticated. Every route takes the user from that
token, never from the request's path, query or body, so another user's batch or schedule is a 404."""

from typing import Annotated

from studio_common.contracts.batches import BATCHES
from studio_common.service_auth import CallerPolicy, require_user

POLICY: CallerPolicy = {"gateway": frozenset({BATCHES})}
UserId = Annotated[str, require_user(BATCHES)]
