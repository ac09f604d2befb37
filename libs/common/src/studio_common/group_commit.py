"""Group commit: items that arrive while a transaction is running share the next one.

Under load a consumer receives a prefetch of events at once; folding each in a transaction of its own pays
the session, BEGIN, COMMIT and connection hand-over every time. Here the first item runs at once (no
added latency when idle) and whatever arrives meanwhile is done together in one transaction. If that
transaction fails, each of its items runs again alone, so one bad event neither fails its neighbours nor
changes how its own failure is retried.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        run_together: Callable[[list[Item]], Awaitable[list[Result]]],
        run_alone: Callable[[Item], Awaitable[Result]],
        limit: int,
    ) -> None:
        self.run_together, self.run_alone, self.limit = run_together, run_alone, limit
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._drain_task: asyncio.Task | None = None

    async def run(self, item: Item) -> Result:
        """Do `item` (alone or with others that arrived meanwhile); its own result or exception."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._drain_task is None:
            self._drain_task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[Item, asyncio.Future]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.limit], self._waiting[self.limit :]
                await self._run_batch(batch)
        finally:
            self._drain_task = None
            for _, future in batch + self._waiting:  # cancelled itself (shutdown): nobody waits for ever
                future.cancel()
            self._waiting = []

    async def _run_batch(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        if len(batch) > 1:
            try:
                results = await self.run_together([item for item, _ in batch])
            except Exception:
                pass  # each one again alone, below
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result=result)
                return
        for item, future in batch:
            try:
                _settle(future, result=await self.run_alone(item))
            except Exception as exc:
                _settle(future, error=exc)


def _settle(future: asyncio.Future, result=None, error: Exception | None = None) -> None:
    if future.done():  # its consumer was cancelled meanwhile (shutdown)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
