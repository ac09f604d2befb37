"""A worker's hold claims sent in-process to a billing app under test, signed as that worker; or billing's
answers scripted, for unit tests of the worker alone."""

import httpx

from studio_common.claims import HoldClaims
from studio_providers.setup import WorkerSettings
from studio_providers.worker import hold_claim_auth


def claims_through(billing_app, worker_settings: WorkerSettings) -> HoldClaims:
    return HoldClaims(
        "http://billing",
        client=httpx.AsyncClient(
            transport=httpx.ASGITransport(app=billing_app),
            base_url="http://billing",
            auth=hold_claim_auth(worker_settings),
        ),
    )


class ScriptedClaims:
    """Answers claims in the given order, repeating the last answer once the others are used up."""

    def __init__(self, *outcomes: str) -> None:
        self.outcomes, self.calls = list(outcomes), 0

    async def claim(self, operation_id: str) -> str:
        self.calls += 1
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
