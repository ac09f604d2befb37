"""Which failures are worth waiting out, and which are poison.

A transient failure (a dependency unreachable, a database restarting, a provider rate limit) is retried
later through a delay queue without counting towards the poison limit; anything else is retried a few
times at once and then dead-lettered, where the dead-letter resolver gives the operation a final state.
The same judgement turns a database outage into a 503 at the HTTP edge instead of a 500.
"""

import asyncio

import httpx
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class TransientError(Exception):
    """Raised by handlers for a failure that will pass (a dependency down, a rate limit)."""


_TRANSIENT = (
    TransientError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
    OperationalError,
    InterfaceError,
    PoolTimeout,
    httpx.TransportError,
    OSError,
)
# PostgreSQL: connection exceptions (08xxx), the server shutting down or starting (57P01-57P03), and
# serialization failures or deadlocks (40001, 40P01) all succeed when tried again.
_TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "40001", "40P01")
_TRANSIENT_NAMES = (
    "ConnectionDoesNotExist",
    "CannotConnectNow",
    "AdminShutdown",
    "ConnectionFailure",
    "ConnectionRejection",
    "InterfaceError",
    "ConnectionResetError",
)


def is_transient(exc: BaseException) -> bool:
    """True if `exc`, or anything it wraps (SQLAlchemy wraps the driver's error), will likely pass."""
    for cause in _chain(exc):
        if isinstance(cause, _TRANSIENT) or getattr(cause, "connection_invalidated", False):
            return True
        sqlstate = str(getattr(cause, "sqlstate", "") or getattr(cause, "pgcode", "") or "")
        if sqlstate.startswith(_TRANSIENT_SQLSTATES):
            return True
        if any(name in type(cause).__name__ for name in _TRANSIENT_NAMES):
            return True
    return False


def _chain(exc: BaseException):
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
