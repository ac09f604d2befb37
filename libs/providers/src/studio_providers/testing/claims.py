"""A worker's hold claims sent in-process to a billing app under test, signed as that worker."""

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
