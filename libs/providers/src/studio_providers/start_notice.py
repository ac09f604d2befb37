"""`operation.started` for the runs that take a while. Followers (the gateway's read model, batch rows)
learn that a worker is on an operation from it; a run that ends within `after_seconds` needs no such
notice, since its final event says all of it, and every follower then handles one event fewer per
operation. Billing does not rely on it: a worker's claim is what marks a hold as running."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def started_if_slow(publish: Callable[[], Awaitable[None]], after_seconds: float):
    """Publish the notice once the block has run `after_seconds` (at once if that is 0), never after the
    block ends, so it always precedes the run's final event."""
    if after_seconds <= 0:
        await publish()
        yield
        return
    publishing = asyncio.Event()

    async def later() -> None:
        await asyncio.sleep(after_seconds)
        publishing.set()
        await publish()

    task = asyncio.create_task(later())
    try:
        yield
    finally:
        if not publishing.is_set():
            task.cancel()
        try:
            # A publish under way finishes: cancelled between its send and the broker's confirm, it
            # could still reach consumers after the final event it was meant to precede.
            await task
        except asyncio.CancelledError:
            if publishing.is_set():
                raise
        except Exception as exc:  # the notice is a courtesy: the run and its final event go on without it
            log.warning("could not publish that the operation started: %s", exc)
