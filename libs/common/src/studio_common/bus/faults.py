"""Which handler failures are worth waiting out, and which are poison.

A transient failure (a dependency unreachable, a database restarting, a provider rate limit) is retried
later through a delay queue without counting towards the poison limit; anything else is retried a few
times at once and then dead-lettered, where the dead-letter resolver gives the operation a final state.
"""

import asyncio

import httpx
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class TransientError(Exception):
    """Raised by handlers for a failure that will pass (a dependency down, a rate limit)."""


_TRANSIENT = (TransientError, ConnectionError, TimeoutError, asyncio.TimeoutError, OperationalError,
              InterfaceError, PoolTimeout, httpx.TransportError)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, _TRANSIENT):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # asyncpg and aiormq raise their own connection errors; both derive from OSError or name themselves so
    name = type(exc).__name__
    return isinstance(exc, OSError) or "ConnectionDoesNotExist" in name or "CannotConnectNow" in name \
        or "ConnectionFailure" in name or name in ("AdminShutdownError", "InterfaceError")
