"""Runs one approved operation for any domain worker: started (if it takes a while), progress, provider
calls with fall-back, outputs to storage under keys derived from the operation id, then completed or failed.

A redelivered operation finds the outputs it already stored and does not pay the provider twice (I3).
A multi-step operation asks billing before each further step whether it is still this worker's to run.
Canceled meanwhile: it stops there, delivers (and is charged for) what is done, and the rest is released.
Taken over by another worker after this one's lease lapsed (`leased`), or already final (`voided`,
`expired`, `posted`): it stops there and publishes nothing more, not even a completion; the
message is acked (the other worker holds its own copy; a final operation needs none). While it runs, a
heartbeat renews its lease so that billing can tell a stalled worker from a slow one; a heartbeat that
hears the operation was lost stops the run at the next step boundary (run_lease.py says what each answer
means). Whether it may still run at all (expiry, leases) is billing's decision alone, made at the claim.
Event ids derive from the operation id, so consumers drop the repeats a redelivery publishes (I7).
"""

import json
import logging
import time
from dataclasses import dataclass, field

from studio_common import metrics
from studio_common.bus import EventBus
from studio_common.bus.faults import TransientError
from studio_common.claims import HoldClaims
from studio_common.events import (
    EventData,
    OperationApproved,
    OperationCanceled,
    OperationCompleted,
    OperationFailed,
    OperationProgress,
    OperationStarted,
    OutputRef,
)
from studio_common.ids import derived_id
from studio_common.operation_rules import billable_seconds
from studio_common.storage import ObjectStorage, output_key
from studio_providers.base import ProviderError, ProviderRequest, UnsupportedOperation
from studio_providers.models.tags import describe_output
from studio_providers.planning import PlannedOutput, Planner, PlanningError
from studio_providers.registry import Choice, ProviderRegistry
from studio_providers.run_lease import CANCEL_REQUESTED, GO_ON, LEASED, RunLease
from studio_providers.start_notice import started_if_slow

log = logging.getLogger(__name__)


WORKER_EVENTS = (OperationStarted, OperationProgress, OperationCompleted, OperationFailed, OperationCanceled)


@dataclass
class PlanRun:
    """What carrying out a plan gave: outputs stored, provider errors, and the parts a cancel skipped."""

    used: tuple[str, str]
    skipped_parts: int = 0
    outputs: list[OutputRef] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)


class OperationRunner:
    def __init__(
        self,
        bus: EventBus,
        storage: ObjectStorage,
        registry: ProviderRegistry,
        planner: Planner,
        claims: HoldClaims,
        heartbeat_seconds: float = 5.0,
        started_after_seconds: float = 0.0,
    ) -> None:
        self.bus, self.storage, self.registry, self.planner, self.claims = (
            bus,
            storage,
            registry,
            planner,
            claims,
        )
        self.heartbeat_seconds = heartbeat_seconds
        self.started_after_seconds = started_after_seconds  # start_notice.py

    async def handle(self, _unit: None, op: OperationApproved) -> list[EventData]:
        """The worker's handler (ServiceRuntime.consume): returns the operation's final event."""
        ids = {
            "operation_id": op.operation_id,
            "user_id": op.user_id,
            "domain": op.domain,
            "batch_id": op.batch_id,
        }
        try:
            inputs = {role: await self.storage.get(key) for role, key in op.inputs.items()}
            plan = await metrics.model_work("plan", self.planner, op, inputs)  # planning may decode images
        except (PlanningError, KeyError, ValueError) as exc:
            return [OperationFailed(**ids, code="invalid_request", message=str(exc))]
        outcome = await self.claims.claim(op.operation_id)
        if outcome == LEASED:
            raise TransientError(f"another worker holds the lease of {op.operation_id}")
        if outcome not in GO_ON and outcome != CANCEL_REQUESTED:
            log.info("operation %s is %s: not running it", op.operation_id, outcome)
            return []
        started = OperationStarted(**ids, provider=op.provider, model=op.model)
        lease = RunLease(self.claims, op.operation_id, self.heartbeat_seconds)
        lease.record(outcome)
        notice = started_if_slow(
            lambda: self._publish(started, "started", op.operation_id), self.started_after_seconds
        )
        async with notice, lease.heartbeat():
            run = await self._run_plan(op, ids, plan, lease)
        if lease.lost:  # another worker's now, or already final: its completion is not this worker's to send
            return []
        if run.outputs:
            return [self._completed(op, ids, run)]
        if lease.canceled:
            return [OperationCanceled(**ids, reason="canceled while running")]
        if run.errors and all(e.retryable and not e.charged for e in run.errors):
            # Every provider was rate-limited or down: try again later, not fail (the retry window bounds it).
            raise TransientError(f"providers unavailable for {op.operation_id}: {run.errors[0].message}")
        first = run.errors[0] if run.errors else ProviderError("no_output", "the provider returned nothing")
        metrics.OPERATIONS.labels(op.kind, "failed").inc()
        return [
            OperationFailed(
                **ids,
                code=first.code,
                message=first.message,
                provider_charged=any(e.charged for e in run.errors),
            )
        ]

    async def _run_plan(
        self, op: OperationApproved, ids: dict, plan: list[PlannedOutput], lease: RunLease
    ) -> PlanRun:
        run = PlanRun(used=(op.provider, op.model))
        # Chosen once per operation from the approved offer, not again for every output.
        choices = self.registry.plan(op.kind, op.provider, op.model, budget_per_unit=op.unit_credits)
        first_index = 0
        for step, planned in enumerate(plan):
            stored = await self.storage.exists(manifest_key(op.user_id, op.operation_id, first_index))
            if not stored and step > 0 and not lease.stopped:  # ask before paying for one more step
                await lease.check()
            if lease.lost:  # nothing more to do or publish: the rest is another worker's, or moot
                break
            if lease.canceled and not stored:
                run.skipped_parts += planned.parts
            else:
                try:
                    refs, run.used = await self._produce(op, first_index, planned, stored, choices)
                    run.outputs.extend(refs)
                except ProviderError as exc:
                    log.warning("output %s of %s failed: %s", first_index, op.operation_id, exc.message)
                    run.errors.append(exc)
                except (
                    ValueError
                ) as exc:  # the inputs cannot be honoured: a failed operation, not a poison message
                    run.errors.append(ProviderError("invalid_request", str(exc)))
                if len(plan) > 1 and not lease.lost:
                    await self._publish(
                        OperationProgress(
                            **ids, progress=(step + 1) / len(plan), message=f"{step + 1} of {len(plan)} done"
                        ),
                        "progress",
                        op.operation_id,
                        step,
                    )
            first_index += planned.parts  # output indexes (and manifest keys) stay fixed per step
        return run

    def _completed(self, op: OperationApproved, ids: dict, run: PlanRun) -> OperationCompleted:
        units = min(op.units, sum(_units(ref) for ref in run.outputs))
        canceled = min(run.skipped_parts, op.units - units)
        done = OperationCompleted(
            **ids,
            kind=op.kind,
            provider=run.used[0],
            model=run.used[1],
            outputs=run.outputs,
            units_delivered=units,
            units_failed=op.units - units - canceled,
            units_canceled=canceled,
            unit_credits=op.unit_credits,
            prompt=str(op.params.get("prompt") or ""),  # upscale, video, avatar have none: never "None"
            source_asset_id=op.source_asset_id,
        )
        metrics.OPERATIONS.labels(op.kind, "canceled" if canceled else "succeeded").inc()
        return done

    async def _produce(
        self,
        op: OperationApproved,
        first_index: int,
        planned: PlannedOutput,
        stored: bool,
        choices: list[Choice],
    ):
        manifest = manifest_key(op.user_id, op.operation_id, first_index)
        if stored:  # stored before a crash or redelivery: do not pay again
            refs = json.loads(await self.storage.get(manifest))
            return [OutputRef.model_validate(ref) for ref in refs], (op.provider, op.model)
        result, used = await self._call_with_fallback(op, planned.request, choices)
        results = result if isinstance(result, list) else [result]
        if planned.finish:
            results = [planned.finish(r) for r in results]
        if len(results) != planned.parts:
            raise ProviderError(
                "bad_output", f"expected {planned.parts} files, the provider gave {len(results)}"
            )
        refs = []
        for offset, output in enumerate(results):
            key = output_key(op.user_id, op.operation_id, first_index + offset, output.content_type)
            await self.storage.put(key, output.data, output.content_type)
            seen = await metrics.model_work("describe", describe_output, output.data, output.content_type)
            refs.append(
                OutputRef(
                    index=first_index + offset,
                    storage_key=key,
                    content_type=output.content_type,
                    width=output.width,
                    height=output.height,
                    bytes=len(output.data),
                    seed=output.seed,
                    duration_seconds=output.duration_seconds,
                    tags=seen.tags or None,
                    phash=seen.phash,
                    methods={**seen.methods, **output.methods} or None,
                )
            )
        # Written last: its presence means every file of this step is stored.
        await self.storage.put(
            manifest, json.dumps([r.model_dump() for r in refs]).encode(), "application/json"
        )
        return refs, used

    async def _call_with_fallback(
        self, op: OperationApproved, request: ProviderRequest, choices: list[Choice]
    ):
        if not choices:
            raise UnsupportedOperation(f"no enabled provider offers {op.kind} with {op.provider}/{op.model}")
        last: ProviderError | None = None
        for choice in choices:
            started = time.perf_counter()
            try:
                result = await choice.provider.run(_with_model(request, choice.model))
            except ProviderError as exc:
                metrics.PROVIDER_ERRORS.labels(choice.provider.name, op.kind, exc.code).inc()
                self.registry.health.failed(choice.provider.name, exc)
                last = exc
                if not exc.retryable:
                    break
                continue
            finally:
                metrics.PROVIDER_SECONDS.labels(choice.provider.name, op.kind).observe(
                    time.perf_counter() - started
                )
            self.registry.health.succeeded(choice.provider.name)
            return result, (choice.provider.name, choice.model)
        raise last

    async def _publish(self, data, *id_parts) -> None:
        await self.bus.publish_data(data, event_id=derived_id(*id_parts))


def manifest_key(user_id: str, operation_id: str, first_index: int) -> str:
    return output_key(user_id, operation_id, 0, "").rsplit("/", 1)[0] + f"/manifest-{first_index}.json"


def _with_model(request: ProviderRequest, model: str) -> ProviderRequest:
    from dataclasses import replace

    return replace(request, model=model)


def _units(ref: OutputRef) -> int:
    """Images count one each; video is billed by the second, rounded up."""
    if ref.duration_seconds is not None and ref.content_type.startswith("video/"):
        return billable_seconds(ref.duration_seconds)
    return 1
