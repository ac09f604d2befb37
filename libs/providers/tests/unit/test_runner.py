"""The operation runner (the core of every worker) without a broker: claims, steps, heartbeats, cancel,
and which provider failures are worth waiting out."""

import asyncio
from datetime import timedelta

import pytest

from studio_common.bus.faults import TransientError
from studio_common.events import OperationApproved, OperationCompleted, OperationFailed, OperationStarted
from studio_common.ids import new_id, utcnow
from studio_common.storage import LocalStorage
from studio_providers.base import ProviderError, ProviderOutput
from studio_providers.planning import PlanningError, single_output
from studio_providers.registry import ProviderRegistry
from studio_providers.runner import OperationRunner


class ScriptedClaims:
    def __init__(self, *outcomes: str) -> None:
        self.outcomes, self.calls = list(outcomes), 0

    async def claim(self, operation_id: str) -> str:
        self.calls += 1
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]


class RecordingBus:
    def __init__(self) -> None:
        self.published = []

    async def publish_data(self, data, event_id=None):
        self.published.append(data)


class ScriptedProvider:
    name = "local"

    def __init__(self, error: ProviderError | None = None, seconds: float = 0.0) -> None:
        self.error, self.seconds, self.calls = error, seconds, 0

    def supports(self, kind: str, model: str) -> bool:
        return True

    async def run(self, request):
        self.calls += 1
        await asyncio.sleep(self.seconds)
        if self.error:
            raise self.error
        return ProviderOutput(b"\x89PNG fake bytes", "image/png", width=8, height=8, seed=request.seed)

    async def aclose(self) -> None:
        pass


def approved(units: int = 1) -> OperationApproved:
    return OperationApproved(
        operation_id=new_id(),
        user_id="u1",
        kind="create",
        provider="local",
        model="local-render",
        units=units,
        params={"prompt": "p"},
        hold_id="h",
        credits=units,
        unit_credits=1,
        deadline=utcnow() + timedelta(minutes=5),
    )


def variations(op, inputs):
    return single_output(op, inputs) * op.units


def runner_with(tmp_path, claims, provider, planner=variations, heartbeat: float = 5.0):
    registry = ProviderRegistry()
    registry.register(provider)
    bus = RecordingBus()
    storage = LocalStorage(str(tmp_path), "http://x", "secret")
    return OperationRunner(bus, storage, registry, planner, claims, heartbeat_seconds=heartbeat), bus


async def test_a_claimed_operation_runs_every_step_and_returns_its_completion(tmp_path):
    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, ScriptedClaims("claimed", "resumed"), provider)
    [done] = await runner.handle(None, approved(units=3))
    assert isinstance(done, OperationCompleted) and done.units_delivered == 3 and provider.calls == 3
    assert any(isinstance(e, OperationStarted) for e in bus.published)


async def test_work_another_worker_holds_is_retried_later_not_run(tmp_path):
    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, ScriptedClaims("leased"), provider)
    with pytest.raises(TransientError):
        await runner.handle(None, approved())
    assert provider.calls == 0 and bus.published == []


@pytest.mark.parametrize("outcome", ["voided", "expired", "canceled", "posted"])
async def test_work_billing_has_settled_is_dropped(tmp_path, outcome):
    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, ScriptedClaims(outcome), provider)
    assert await runner.handle(None, approved()) == []
    assert provider.calls == 0 and bus.published == []


async def test_rate_limited_providers_are_waited_out_but_a_refusal_fails(tmp_path):
    limited = ProviderError("rate_limited", "429 from the provider", retryable=True)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(limited))
    with pytest.raises(TransientError):
        await runner.handle(None, approved())
    refused = ProviderError("content_filtered", "refused", retryable=False)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(refused))
    [failed] = await runner.handle(None, approved())
    assert isinstance(failed, OperationFailed) and failed.code == "content_filtered"


async def test_a_plan_that_cannot_be_carried_out_fails_without_claiming(tmp_path):
    def impossible(op, inputs):
        raise PlanningError("width must be a multiple of 8")

    claims = ScriptedClaims("claimed")
    runner, _ = runner_with(tmp_path, claims, ScriptedProvider(), planner=impossible)
    [failed] = await runner.handle(None, approved())
    assert (failed.code, claims.calls) == ("invalid_request", 0)


async def test_heartbeats_renew_the_lease_while_a_long_step_runs(tmp_path):
    claims = ScriptedClaims("claimed", "resumed")
    runner, _ = runner_with(tmp_path, claims, ScriptedProvider(seconds=0.55), heartbeat=0.1)
    await runner.handle(None, approved())
    assert claims.calls >= 1 + 4  # the claim, then a heartbeat every 0.1 s of the 0.55 s step


async def test_a_cancel_between_steps_keeps_what_is_done(tmp_path):
    provider = ScriptedProvider()
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed", "resumed", "cancel_requested"), provider)
    [done] = await runner.handle(None, approved(units=4))
    assert (done.units_delivered, done.units_canceled, provider.calls) == (2, 2, 2)


async def test_a_redelivered_operation_finds_its_stored_outputs_and_pays_nothing_again(tmp_path):
    provider = ScriptedProvider()
    op = approved(units=2)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), provider)
    await runner.handle(None, op)
    runner, _ = runner_with(tmp_path, ScriptedClaims("resumed"), provider)
    [done] = await runner.handle(None, op)
    assert done.units_delivered == 2 and provider.calls == 2


@pytest.mark.parametrize("params", [{}, {"prompt": None}, {"prompt": ""}])
async def test_an_operation_without_a_prompt_completes_with_an_empty_prompt(tmp_path, params):
    op = approved().model_copy(update={"kind": "upscale.fast", "params": params})
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider())
    [done] = await runner.handle(None, op)
    assert done.prompt == ""  # never the string "None"
