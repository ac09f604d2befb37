"""The operation runner (the core of every worker) without a broker: claims, steps, heartbeats, cancel,
and which provider failures are worth waiting out."""

import asyncio

import pytest

from studio_common.bus.faults import TransientError
from studio_common.claims import ClaimError
from studio_common.events import (
    OperationApproved,
    OperationCanceled,
    OperationCompleted,
    OperationFailed,
    OperationProgress,
    OperationStarted,
)
from studio_common.storage import LocalStorage, output_key
from studio_common.testing.events import approved_operation
from studio_providers.base import ProviderError, ProviderOutput
from studio_providers.planning import PlannedOutput, PlanningError, single_output
from studio_providers.registry import ProviderRegistry
from studio_providers.runner import OperationRunner, manifest_key
from studio_providers.testing.claims import ScriptedClaims


class RecordingBus:
    def __init__(self) -> None:
        self.published, self.event_ids = [], []

    async def publish_data(self, data, event_id=None):
        self.published.append(data)
        self.event_ids.append(event_id)


class ScriptedProvider:
    """Answers every call with one PNG, or raises `error` on every call (or only on `failing_calls`)."""

    def __init__(
        self,
        error: Exception | None = None,
        seconds: float = 0.0,
        name: str = "local",
        failing_calls: set[int] | None = None,
    ) -> None:
        self.error, self.seconds, self.calls, self.name = error, seconds, 0, name
        self.failing_calls = failing_calls
        self.models: list[str] = []

    def supports(self, kind: str, model: str) -> bool:
        return True

    async def run(self, request):
        self.calls += 1
        self.models.append(request.model)
        await asyncio.sleep(self.seconds)
        if self.error and (self.failing_calls is None or self.calls in self.failing_calls):
            raise self.error
        return ProviderOutput(b"\x89PNG fake bytes", "image/png", width=8, height=8, seed=request.seed)

    async def aclose(self) -> None:
        pass


def approved(units: int = 1, **fields) -> OperationApproved:
    return approved_operation(units=units, **fields)


def variations(op, inputs):
    return single_output(op, inputs) * op.units


def runner_with(
    tmp_path, claims, provider, planner=variations, heartbeat: float = 5.0, storage=None, started_after=0.0
):
    registry = ProviderRegistry()
    for each in provider if isinstance(provider, list) else [provider]:
        registry.register(each)
    bus = RecordingBus()
    storage = storage or LocalStorage(str(tmp_path), "http://x", "secret")
    runner = OperationRunner(
        bus,
        storage,
        registry,
        planner,
        claims,
        heartbeat_seconds=heartbeat,
        started_after_seconds=started_after,
    )
    return runner, bus


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


@pytest.mark.parametrize("outcome", ["leased", "voided", "expired", "canceled", "posted"])
async def test_an_operation_lost_between_steps_stops_there_and_publishes_nothing_more(tmp_path, outcome):
    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, ScriptedClaims("claimed", outcome), provider)
    assert await runner.handle(None, approved(units=3)) == []  # acked: no completion, failure or cancel
    assert provider.calls == 1
    assert [type(e) for e in bus.published] == [OperationStarted, OperationProgress]  # step 1 of 3 only


async def test_a_worker_that_took_over_re_uses_what_the_stalled_one_stored(tmp_path):
    provider = ScriptedProvider()
    op = approved(units=3)
    stalled, _ = runner_with(tmp_path, ScriptedClaims("claimed", "leased"), provider)
    assert await stalled.handle(None, op) == []
    taking_over, _ = runner_with(tmp_path, ScriptedClaims("claimed", "resumed"), provider)
    [done] = await taking_over.handle(None, op)
    assert done.units_delivered == 3 and [o.index for o in done.outputs] == [0, 1, 2]
    assert provider.calls == 1 + 2  # the step the stalled worker stored is not paid again


async def test_a_redelivered_operation_finds_its_stored_outputs_and_pays_nothing_again(tmp_path):
    provider = ScriptedProvider()
    op = approved(units=2)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), provider)
    await runner.handle(None, op)
    runner, _ = runner_with(tmp_path, ScriptedClaims("resumed"), provider)
    [done] = await runner.handle(None, op)
    assert done.units_delivered == 2 and provider.calls == 2


async def test_the_runner_reports_each_provider_call_to_the_registrys_health(tmp_path):
    limited = ProviderError("rate_limited", "429 from the provider", retryable=True)
    provider = ScriptedProvider(limited)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), provider)
    for _ in range(3):
        with pytest.raises(TransientError):
            await runner.handle(None, approved())
    assert not runner.registry.health.is_healthy("local")
    provider.error = None
    [done] = await runner.handle(None, approved())
    assert isinstance(done, OperationCompleted) and provider.calls == 4
    assert runner.registry.health.is_healthy("local")


# ------------------------------------------------------------------------------------------ the claim


async def test_billing_unreachable_at_the_claim_leaves_the_message_for_a_retry(tmp_path):
    class UnreachableBilling:
        async def claim(self, operation_id: str) -> str:
            raise ClaimError("billing unreachable: ConnectError")

    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, UnreachableBilling(), provider)
    with pytest.raises(TransientError):
        await runner.handle(None, approved())
    assert provider.calls == 0 and bus.published == []


async def test_a_cancel_recorded_before_the_first_step_runs_nothing_and_reports_canceled(tmp_path):
    provider = ScriptedProvider()
    runner, bus = runner_with(tmp_path, ScriptedClaims("cancel_requested"), provider)
    [canceled] = await runner.handle(None, approved(units=3))
    assert isinstance(canceled, OperationCanceled) and provider.calls == 0
    assert [type(e) for e in bus.published] == [OperationStarted]


async def test_an_input_missing_from_storage_fails_as_invalid_without_claiming(tmp_path):
    claims = ScriptedClaims("claimed")
    provider = ScriptedProvider()
    runner, _ = runner_with(tmp_path, claims, provider)
    [failed] = await runner.handle(None, approved(inputs={"image": "users/u1/inputs/gone.png"}))
    assert isinstance(failed, OperationFailed) and failed.code == "invalid_request"
    assert (claims.calls, provider.calls) == (0, 0)


# --------------------------------------------------------------------------------- provider failures


async def test_a_failed_variation_is_reported_and_the_others_delivered(tmp_path):
    refused = ProviderError("content_filtered", "refused", retryable=False)
    provider = ScriptedProvider(refused, failing_calls={2})
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed", "resumed"), provider)
    [done] = await runner.handle(None, approved(units=3))
    assert isinstance(done, OperationCompleted)
    assert (done.units_delivered, done.units_failed, done.units_canceled) == (2, 1, 0)
    assert [o.index for o in done.outputs] == [0, 2]


async def test_a_provider_that_charged_for_a_failure_fails_the_operation_instead_of_retrying(tmp_path):
    charged = ProviderError("provider_error", "timed out after billing", retryable=True, charged=True)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(charged))
    [failed] = await runner.handle(None, approved())
    assert isinstance(failed, OperationFailed)
    assert (failed.code, failed.provider_charged) == ("provider_error", True)


async def test_a_retryable_failure_falls_back_to_a_cheaper_provider(tmp_path):
    down = ScriptedProvider(ProviderError("provider_error", "503", retryable=True), name="stability")
    local = ScriptedProvider(name="local")
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), [down, local])
    [done] = await runner.handle(None, approved(provider="stability", model="core", unit_credits=3))
    assert (done.provider, done.model, done.units_delivered) == ("local", "local-render", 1)
    assert (down.calls, local.calls, local.models) == (1, 1, ["local-render"])


async def test_a_refusal_does_not_fall_back(tmp_path):
    refusing = ScriptedProvider(ProviderError("content_filtered", "no", retryable=False), name="stability")
    local = ScriptedProvider(name="local")
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), [refusing, local])
    [failed] = await runner.handle(None, approved(provider="stability", model="core", unit_credits=3))
    assert isinstance(failed, OperationFailed) and failed.code == "content_filtered"
    assert (refusing.calls, local.calls) == (1, 0)


async def test_no_provider_offering_the_operation_fails_it_as_unsupported(tmp_path):
    stranger = ScriptedProvider(name="not-in-the-catalog")
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), stranger)
    [failed] = await runner.handle(None, approved())
    assert isinstance(failed, OperationFailed) and failed.code == "unsupported" and stranger.calls == 0


async def test_inputs_a_provider_cannot_honour_fail_as_invalid(tmp_path):
    provider = ScriptedProvider(ValueError("duration: must be one of 5, 10 seconds, not 3"))
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), provider)
    [failed] = await runner.handle(None, approved())
    assert (failed.code, failed.message) == (
        "invalid_request",
        "duration: must be one of 5, 10 seconds, not 3",
    )


async def test_a_provider_giving_fewer_files_than_planned_fails_the_step(tmp_path):
    def three_formats(op, inputs):
        [planned] = single_output(op, inputs)
        return [PlannedOutput(planned.request, parts=3)]

    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(), planner=three_formats)
    [failed] = await runner.handle(None, approved())
    assert failed.code == "bad_output" and "expected 3 files" in failed.message


async def test_an_empty_plan_fails_with_no_output(tmp_path):
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(), planner=lambda op, i: [])
    [failed] = await runner.handle(None, approved())
    assert isinstance(failed, OperationFailed) and failed.code == "no_output"


# ------------------------------------------------------------------------------------ outputs and units


async def test_each_step_is_finished_stored_and_indexed_after_the_files_of_earlier_steps(tmp_path):
    class Bundle(ScriptedProvider):
        async def run(self, request):
            one = await super().run(request)
            return [one, one]  # one call, two files (like the social optimizer)

    def halve(output: ProviderOutput) -> ProviderOutput:
        return ProviderOutput(output.data, output.content_type, width=4, height=4, seed=output.seed)

    def two_steps_of_two(op, inputs):
        [planned] = single_output(op, inputs)
        return [PlannedOutput(planned.request, finish=halve, parts=2)] * 2

    runner, _ = runner_with(
        tmp_path, ScriptedClaims("claimed", "resumed"), Bundle(), planner=two_steps_of_two
    )
    op = approved(units=4)
    [done] = await runner.handle(None, op)
    assert [o.index for o in done.outputs] == [0, 1, 2, 3] and done.units_delivered == 4
    assert {(o.width, o.height) for o in done.outputs} == {(4, 4)}
    storage = LocalStorage(str(tmp_path), "http://x", "secret")
    for output in done.outputs:
        assert output.storage_key == output_key("u1", op.operation_id, output.index, "image/png")
        assert await storage.get(output.storage_key) == b"\x89PNG fake bytes"
    assert [await storage.exists(manifest_key("u1", op.operation_id, i)) for i in (0, 2)] == [True, True]


@pytest.mark.parametrize(("seconds", "units", "delivered"), [(5.0, 5, 5), (4.2, 5, 5), (2.0, 5, 2)])
async def test_video_is_counted_by_the_second_rounded_up(tmp_path, seconds, units, delivered):
    class Video(ScriptedProvider):
        async def run(self, request):
            await super().run(request)
            return ProviderOutput(b"mp4", "video/mp4", 64, 64, request.seed, duration_seconds=seconds)

    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), Video(), planner=single_output)
    [done] = await runner.handle(None, approved(units=units))
    assert (done.units_delivered, done.units_failed) == (delivered, units - delivered)


async def test_progress_is_published_per_step_under_ids_a_redelivery_repeats(tmp_path):
    op = approved(units=3)
    runner, bus = runner_with(tmp_path, ScriptedClaims("claimed", "resumed"), ScriptedProvider())
    await runner.handle(None, op)
    progress = [e for e in bus.published if isinstance(e, OperationProgress)]
    assert [round(p.progress, 3) for p in progress] == [0.333, 0.667, 1.0]
    again, bus_again = runner_with(tmp_path, ScriptedClaims("resumed"), ScriptedProvider())
    await again.handle(None, op)
    assert bus_again.event_ids == bus.event_ids and len(set(bus.event_ids)) == 4  # started + 3 progress


# ------------------------------------------------------------------------------------------ heartbeats


async def test_a_failed_heartbeat_does_not_stop_the_work(tmp_path):
    class BillingGoneAfterTheClaim:
        calls = 0

        async def claim(self, operation_id: str) -> str:
            self.calls += 1
            if self.calls > 1:
                raise ClaimError("billing unreachable: ConnectError")
            return "claimed"

    claims = BillingGoneAfterTheClaim()
    runner, _ = runner_with(tmp_path, claims, ScriptedProvider(seconds=0.35), heartbeat=0.1)
    [done] = await runner.handle(None, approved())
    assert isinstance(done, OperationCompleted) and claims.calls >= 3


async def test_a_heartbeat_that_hears_of_a_takeover_stops_the_run_at_the_next_step(tmp_path):
    # The claim before step 2 would answer "resumed": only the heartbeat's "leased" can stop the run.
    claims = ScriptedClaims("claimed", "leased", "resumed")
    provider = ScriptedProvider(seconds=0.25)
    runner, bus = runner_with(tmp_path, claims, provider, heartbeat=0.1)
    assert await runner.handle(None, approved(units=3)) == []
    assert provider.calls == 1  # the step in flight finished; no further one was paid for
    assert claims.calls == 2  # no claim before step 2, and a lost worker no longer renews the lease
    assert not any(isinstance(e, OperationProgress) for e in bus.published)


@pytest.mark.parametrize("outcome", ["voided", "expired"])
async def test_a_single_step_operation_that_ended_meanwhile_keeps_its_output_but_sends_no_completion(
    tmp_path, outcome
):
    op = approved()
    runner, bus = runner_with(
        tmp_path, ScriptedClaims("claimed", outcome), ScriptedProvider(seconds=0.25), heartbeat=0.1
    )
    assert await runner.handle(None, op) == []
    assert [type(e) for e in bus.published] == [OperationStarted]
    assert await runner.storage.exists(manifest_key("u1", op.operation_id, 0))


async def test_a_heartbeat_answering_resumed_keeps_the_run_going(tmp_path):
    claims = ScriptedClaims("claimed", "resumed")
    runner, _ = runner_with(tmp_path, claims, ScriptedProvider(seconds=0.25), heartbeat=0.1)
    [done] = await runner.handle(None, approved(units=2))
    assert done.units_delivered == 2


async def test_heartbeats_stop_when_the_operation_ends(tmp_path):
    claims = ScriptedClaims("claimed")
    runner, _ = runner_with(tmp_path, claims, ScriptedProvider(seconds=0.25), heartbeat=0.1)
    await runner.handle(None, approved())
    calls_at_the_end = claims.calls
    await asyncio.sleep(0.3)
    assert claims.calls == calls_at_the_end


# ------------------------------------------------------------------------------------------- storage


class StorageFailingOnce(LocalStorage):
    """Real local storage whose first write of one output file fails, as an unreachable bucket would."""

    def __init__(self, root: str, failing_suffix: str) -> None:
        super().__init__(root, "http://x", "secret")
        self.failing_suffix, self.failed = failing_suffix, False

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        if key.endswith(self.failing_suffix) and not self.failed:
            self.failed = True
            raise OSError("storage unreachable")
        await super().put(key, data, content_type)


async def test_a_storage_failure_leaves_the_message_to_be_redelivered_and_only_the_rest_is_paid_again(
    tmp_path,
):
    provider = ScriptedProvider()
    op = approved(units=3)
    storage = StorageFailingOnce(str(tmp_path), "/1.png")
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed", "resumed"), provider, storage=storage)
    with pytest.raises(OSError):
        await runner.handle(None, op)  # neither completed nor failed: the broker redelivers it
    assert provider.calls == 2
    assert await storage.exists(manifest_key("u1", op.operation_id, 0))
    assert not await storage.exists(manifest_key("u1", op.operation_id, 1))

    runner, _ = runner_with(tmp_path, ScriptedClaims("resumed"), provider, storage=storage)
    [done] = await runner.handle(None, op)
    assert done.units_delivered == 3 and [o.index for o in done.outputs] == [0, 1, 2]
    assert provider.calls == 2 + 2  # the stored step 0 is not paid again; steps 1 and 2 are


async def test_a_redelivery_after_a_cancel_delivers_only_what_was_stored(tmp_path):
    provider = ScriptedProvider()
    op = approved(units=3)
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed", "cancel_requested"), provider)
    [first] = await runner.handle(None, op)
    assert (first.units_delivered, first.units_canceled) == (1, 2)
    runner, _ = runner_with(tmp_path, ScriptedClaims("cancel_requested"), provider)
    [again] = await runner.handle(None, op)
    assert (again.units_delivered, again.units_canceled, provider.calls) == (1, 2, 1)
    assert again.outputs == first.outputs


@pytest.mark.parametrize("params", [{}, {"prompt": None}, {"prompt": ""}])
async def test_an_operation_without_a_prompt_completes_with_an_empty_prompt(tmp_path, params):
    op = approved().model_copy(update={"kind": "upscale.fast", "params": params})
    runner, _ = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider())
    [done] = await runner.handle(None, op)
    assert done.prompt == ""  # never the string "None"


async def test_a_quick_run_goes_straight_to_its_completion_without_a_started_event(tmp_path):
    runner, bus = runner_with(tmp_path, ScriptedClaims("claimed"), ScriptedProvider(), started_after=0.5)
    [done] = await runner.handle(None, approved())
    assert isinstance(done, OperationCompleted) and bus.published == []


async def test_a_slow_run_says_it_started_while_it_runs(tmp_path):
    provider = ScriptedProvider(seconds=0.3)
    runner, bus = runner_with(tmp_path, ScriptedClaims("claimed"), provider, started_after=0.1)
    [done] = await runner.handle(None, approved())
    assert isinstance(done, OperationCompleted)
    assert [type(e) for e in bus.published] == [OperationStarted]
