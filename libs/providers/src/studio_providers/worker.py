"""One assembly for every domain worker (generation, editing, transform): providers, the operation
runner on the domain's queue, and the health/metrics endpoints. A worker differs only by its planner."""

import cv2
from fastapi import FastAPI
from threadpoolctl import threadpool_limits

from studio_common.claims import HoldClaims
from studio_common.events import OperationApproved
from studio_common.runtime import ServiceRuntime
from studio_common.service_auth import ServiceAuth, ServiceTokens
from studio_common.storage import make_storage
from studio_providers.local.provider import LocalProvider, Operation
from studio_providers.models import store as model_store
from studio_providers.planning import Planner
from studio_providers.registry import ProviderRegistry
from studio_providers.runner import WORKER_EVENTS, OperationRunner
from studio_providers.setup import WorkerSettings, build_registry


def create_worker_app(
    settings: WorkerSettings,
    domain: str,
    planner: Planner,
    *,
    local_operations: dict[str, Operation] | None = None,
    registry: ProviderRegistry | None = None,
    claims: HoldClaims | None = None,
) -> FastAPI:
    settings.check_production_safety()
    # A worker runs its operations side by side, one thread each: OpenCV's and BLAS's own thread pools
    # would only fight them for the cores (and their CPU would escape metrics.model_work's count).
    cv2.setNumThreads(1)
    threadpool_limits(1)
    runtime = ServiceRuntime(settings)
    runtime.add_ready_check(model_store.status)
    registry = registry or build_registry(settings, LocalProvider(local_operations))
    claims = claims or HoldClaims(settings.billing_url, auth=hold_claim_auth(settings))
    runner = OperationRunner(
        runtime.bus,
        make_storage(settings),
        registry,
        planner,
        claims,
        heartbeat_seconds=settings.heartbeat_seconds,
        started_after_seconds=settings.started_after_seconds,
    )
    runtime.consume(domain, {OperationApproved: runner.handle}, domain=domain)
    runtime.bus.document_publishes(*WORKER_EVENTS, domain=domain)

    async def close_clients() -> None:
        for name in registry.names():
            await registry.get(name).aclose()
        await claims.aclose()

    runtime.on_shutdown(close_clients)
    return runtime.app(f"Image Studio {domain} worker")


def hold_claim_auth(settings: WorkerSettings) -> ServiceAuth:
    """A worker's only call to billing: claiming an operation's hold."""
    return ServiceAuth(ServiceTokens(settings), "billing", ("holds.claim",))
