"""What every consumer gets around its handler, as FastStream middlewares rather than inline code:
observing (trace span, operation id on every log line, metrics, a logged failure) and retrying.

Retrying: a transient failure goes to a delay queue and comes back to the same work queue later, so it
neither holds a prefetch slot while it waits nor counts as a delivery towards the poison limit. Any other
failure is retried at once a few times (a race, a lost lock) and then rejected into `<queue>.dlq`, where
the dead-letter resolver gives its operation a final state.
"""

import asyncio
import logging
from datetime import UTC, datetime

from faststream import BaseMiddleware
from faststream.exceptions import HandlerException, RejectMessage

from studio_common import metrics, telemetry
from studio_common.bus.faults import is_transient
from studio_common.bus.topology import retry_delay

log = logging.getLogger("studio_common.bus")

ATTEMPT_HEADER = "x-studio-attempt"
FIRST_FAILURE_HEADER = "x-studio-first-failure"


def event_type(message) -> str:
    return message.raw_message.type or "unknown"


def deliveries(message) -> int:
    """Earlier deliveries of this copy of the message (the quorum queue counts them)."""
    return int((message.headers or {}).get("x-delivery-count") or 0)


class ObserveMiddleware(BaseMiddleware):
    """A span continuing the operation's trace, the operation id in the logs, metrics, and every
    handler failure logged with its operation id."""

    def __init__(self, msg, /, *, context, queue: str) -> None:
        super().__init__(msg, context=context)
        self.queue = queue

    async def consume_scope(self, call_next, msg):
        queue = self.queue
        kind = event_type(msg)
        headers = msg.headers or {}
        published = msg.raw_message.timestamp
        operation_id = msg.correlation_id or ""
        span = telemetry.operation_span(
            f"handle {kind}",
            operation_id,
            headers.get("traceparent"),
            **{"messaging.system": "rabbitmq", "messaging.message.id": msg.message_id or ""},
        )
        with span, metrics.observe_handler(queue, kind, _aware(published)):
            try:
                return await call_next(msg)
            except HandlerException:
                raise
            except Exception as exc:
                log.warning(
                    "handling %s (message %s, delivery %d) failed: %s: %s",
                    kind,
                    msg.message_id,
                    deliveries(msg) + 1,
                    type(exc).__name__,
                    exc,
                    exc_info=not is_transient(exc),
                )
                raise


class RetryMiddleware(BaseMiddleware):
    """Built per work queue (it must know where a delayed message returns to); see the module docstring."""

    def __init__(self, msg, /, *, context, bus, queue: str, last_resort: bool = False) -> None:
        super().__init__(msg, context=context)
        self.bus, self.queue = bus, queue
        # A dead-letter queue has nowhere further to reject to: its failures are all waited out.
        self.last_resort = last_resort

    async def consume_scope(self, call_next, msg):
        try:
            return await call_next(msg)
        except HandlerException:
            raise
        except Exception as exc:
            settings = self.bus.settings
            if self.last_resort:
                await self._delay(msg, float("inf"))
                return None
            if is_transient(exc) and await self._delay(msg, settings.retry_window_seconds):
                return None  # acked: the delayed copy carries on
            if deliveries(msg) + 1 >= settings.poison_after:
                metrics.DEAD_LETTERED.labels(self.queue, event_type(msg)).inc()
                log.error(
                    "%s on %s failed %d times: dead-lettered",
                    event_type(msg),
                    self.queue,
                    deliveries(msg) + 1,
                )
                raise RejectMessage() from exc
            await asyncio.sleep(0.2 * 2 ** deliveries(msg))  # a brief pause before the broker redelivers
            raise

    async def _delay(self, msg, window_seconds: float) -> bool:
        """Send a copy through the delay queue; False once the retry window is spent (then it is poison)."""
        headers = dict(msg.headers or {})
        attempt = int(headers.get(ATTEMPT_HEADER) or 0) + 1
        now = datetime.now(UTC)
        first = (
            datetime.fromisoformat(headers[FIRST_FAILURE_HEADER]) if FIRST_FAILURE_HEADER in headers else now
        )
        if (now - first).total_seconds() > window_seconds:
            return False
        headers.update({ATTEMPT_HEADER: attempt, FIRST_FAILURE_HEADER: first.isoformat()})
        headers.pop("x-delivery-count", None)
        headers.pop("x-death", None)
        await self.bus.publish_delayed(msg, self.queue, retry_delay(attempt), headers)
        metrics.RETRIES.labels(self.queue, event_type(msg)).inc()
        return True


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
