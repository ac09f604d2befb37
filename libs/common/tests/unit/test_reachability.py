"""Waiting out a dependency at start: transient failures are tried again with growing delays, anything
else is raised at once, and a stop asked for ends the wait."""

import asyncio
import itertools

import pytest

from studio_common.reachability import ExitFlag, ExitRequested, until_reachable


class Dependency:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.attempts: list[float] = []

    async def connect(self) -> str:
        self.attempts.append(asyncio.get_running_loop().time())
        if self.failures:
            raise self.failures.pop(0)
        return "connected"


async def test_refused_connections_are_tried_again_with_doubling_delays_up_to_the_longest():
    refused = [ConnectionRefusedError(111, "refused") for _ in range(4)]
    dependency = Dependency(refused)
    answer = await until_reachable("broker", dependency.connect, ExitFlag(), 0.05, 0.2)
    gaps = [later - earlier for earlier, later in itertools.pairwise(dependency.attempts)]
    assert answer == "connected" and len(dependency.attempts) == 5
    assert all(gap >= expected * 0.9 for gap, expected in zip(gaps, [0.05, 0.1, 0.2, 0.2], strict=True))
    assert gaps[3] < 0.3  # capped


async def test_an_error_that_will_not_pass_is_raised_at_once():
    dependency = Dependency([ValueError("bad configuration")])
    with pytest.raises(ValueError, match="bad configuration"):
        await until_reachable("database", dependency.connect, ExitFlag(), 0.05)
    assert len(dependency.attempts) == 1


async def test_a_stop_asked_for_ends_the_wait_within_a_tick():
    exiting = ExitFlag()
    dependency = Dependency([ConnectionRefusedError(111, "refused")] * 100)
    waiting = asyncio.create_task(until_reachable("broker", dependency.connect, exiting, 5.0))
    await asyncio.sleep(0.2)
    exiting.set()
    loop = asyncio.get_running_loop()
    asked = loop.time()
    with pytest.raises(ExitRequested):
        await waiting
    assert loop.time() - asked < 0.5 and len(dependency.attempts) == 1
