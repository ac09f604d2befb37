"""Shared metrics: image and model work counted apart from orchestration, and the event loop's lag."""

import threading

import pytest

from studio_common import metrics


def _spin(rounds: int) -> int:
    total = 0
    for number in range(rounds):
        total += number * number
    return total


def _counted(work: str) -> float:
    return metrics.MODEL_CPU_SECONDS.labels(work)._value.get()


async def test_model_work_runs_in_a_thread_and_counts_its_cpu():
    loop_thread = threading.get_ident()
    before = _counted("test-spin")
    ran_in = await metrics.model_work("test-spin", lambda: threading.get_ident())
    assert ran_in != loop_thread
    assert await metrics.model_work("test-spin", _spin, 2_000_000) == _spin(2_000_000)
    assert _counted("test-spin") - before > 0.01  # two million multiplications take well over 10 ms of CPU


async def test_model_work_counts_cpu_even_when_the_work_fails():
    before = _counted("test-fail")

    def fail() -> None:
        _spin(1_000_000)
        raise ValueError("corrupt image")

    with pytest.raises(ValueError, match="corrupt image"):
        await metrics.model_work("test-fail", fail)
    assert _counted("test-fail") > before


async def test_the_event_loop_lag_is_sampled_until_stopped():
    before = _lag_samples()
    ticks = 0

    def stopped() -> bool:
        nonlocal ticks
        ticks += 1
        return ticks > 3

    await metrics.watch_loop_lag(stopped, every=0.01)
    assert _lag_samples() == before + 3


def _lag_samples() -> float:
    for metric in metrics.LOOP_LAG_SECONDS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                return sample.value
    return 0.0
