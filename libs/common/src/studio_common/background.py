"""Background loops that stop between iterations, never in the middle of one.

Cancelling a task while it is inside a database transaction is unsafe with aiosqlite: the statement
keeps running on the driver's thread after the awaiting task is gone, so the write lock can outlive
the session and the next `BEGIN IMMEDIATE` waits out the busy time-out. Loops here are asked to stop
and finish their current iteration; cancellation is only the last resort after a grace period.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class StopSignal:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as a stop was asked for."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        return self._event.is_set()


async def periodically(stop: StopSignal, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    while not await stop.wait(seconds):
        try:
            await job()
        except Exception:
            log.exception("periodic job %s failed", getattr(job, "__name__", job))


async def finish(tasks: list[asyncio.Task], grace: float = 15.0) -> None:
    """Wait for loops that were asked to stop; cancel whatever outlives the grace period."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
