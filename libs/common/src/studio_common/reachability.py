"""Waiting out a dependency that is down when a service starts.

A service whose broker or database is away at start waits for it, as it does for one lost while running,
instead of exiting: an exit turns into a restart loop (every restart imports the service and loads its
models again), and on a small machine that loop takes the CPU the broker needs to come back; a RabbitMQ
node took a minute to boot behind seven such loops. While it waits the service answers nothing, so it is
not ready; an orchestrator's start-up probe still bounds the wait (deploy/k8s).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from studio_common.bus.faults import is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")


class ExitRequested(Exception):
    """The process was asked to stop while it waited for a dependency."""


class ExitFlag:
    """Set from a signal handler, so it is a plain attribute: safe to write between any two bytecodes."""

    def __init__(self) -> None:
        self.requested = False

    def set(self) -> None:
        self.requested = True


async def until_reachable(
    dependency: str,
    step: Callable[[], Awaitable[T]],
    exiting: ExitFlag,
    first_delay: float = 0.5,
    longest_delay: float = 5.0,
) -> T:
    """Run `step` until it gets past transient failures (a refused connection, a database starting), with
    delays doubling up to `longest_delay`; any other error is raised at once, as is ExitRequested."""
    delay = first_delay
    while True:
        try:
            return await step()
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("%s unreachable at start (%s); trying again in %.1f s", dependency, exc, delay)
        await _sleep_unless_exiting(delay, exiting)
        delay = min(delay * 2, longest_delay)


async def _sleep_unless_exiting(seconds: float, exiting: ExitFlag, tick: float = 0.1) -> None:
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while loop.time() < until:
        if exiting.requested:
            raise ExitRequested
        await asyncio.sleep(min(tick, until - loop.time()))
    if exiting.requested:
        raise ExitRequested
