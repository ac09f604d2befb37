"""Items arriving together share one transaction; a failing one runs alone and fails alone."""

import asyncio

import pytest

from studio_common.group_commit import GroupCommit


class Recorder:
    def __init__(self, bad: set[int] = frozenset()) -> None:
        self.together: list[list[int]] = []
        self.alone: list[int] = []
        self.bad = bad

    async def run_together(self, items: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        if self.bad & set(items):
            raise ValueError("one of them is bad")
        self.together.append(items)
        return [item * 10 for item in items]

    async def run_alone(self, item: int) -> int:
        await asyncio.sleep(0.01)
        if item in self.bad:
            raise ValueError(f"{item} is bad")
        self.alone.append(item)
        return item * 10


async def test_one_item_runs_alone_and_those_arriving_meanwhile_share_the_next_transaction():
    recorder = Recorder()
    shared = GroupCommit(recorder.run_together, recorder.run_alone, limit=16)
    first = asyncio.create_task(shared.run(1))
    await asyncio.sleep(0.001)  # the first is running: the next ones wait for it and go together
    results = await asyncio.gather(first, *(shared.run(n) for n in range(2, 6)))
    assert results == [10, 20, 30, 40, 50]
    assert recorder.alone == [1] and recorder.together == [[2, 3, 4, 5]]


async def test_no_transaction_is_larger_than_the_limit():
    recorder = Recorder()
    shared = GroupCommit(recorder.run_together, recorder.run_alone, limit=3)
    assert await asyncio.gather(*(shared.run(n) for n in range(7))) == [n * 10 for n in range(7)]
    assert recorder.together == [[0, 1, 2], [3, 4, 5]] and recorder.alone == [6]


async def test_a_failing_item_fails_alone_and_its_neighbours_succeed():
    recorder = Recorder(bad={3})
    shared = GroupCommit(recorder.run_together, recorder.run_alone, limit=16)
    results = await asyncio.gather(*(shared.run(n) for n in range(1, 5)), return_exceptions=True)
    assert results[:2] == [10, 20] and results[3] == 40
    assert isinstance(results[2], ValueError)
    assert recorder.together == [] and recorder.alone == [1, 2, 4]


async def test_a_cancelled_drain_leaves_nobody_waiting():
    async def never(items):
        await asyncio.Event().wait()

    shared = GroupCommit(never, never, limit=16)
    waiting = [asyncio.create_task(shared.run(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    shared._drain_task.cancel()
    for task in waiting:
        with pytest.raises(asyncio.CancelledError):
            await task
