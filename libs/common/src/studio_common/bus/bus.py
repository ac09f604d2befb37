"""The event bus: FastStream's RabbitBroker with our topology, typed envelopes and explicit handlers."""

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from faststream import AckPolicy, StreamMessage
from faststream.rabbit import Channel, RabbitBroker, RabbitRouter
from faststream.rabbit.annotations import RabbitMessage
from pydantic import create_model

from studio_common import metrics, telemetry
from studio_common.bus.middlewares import ObserveMiddleware, RetryMiddleware
from studio_common.bus.topology import (
    CONSUMER_QUEUES,
    RETRY_DELAYS,
    QueueSpec,
    batch_binding,
    batch_events_exchange,
    batch_headers,
    dead_letter_exchange,
    dead_letter_queue,
    events_exchange,
    retry_exchange,
    retry_queue,
    work_queue,
)
from studio_common.events import Envelope, EventData
from studio_common.settings import CommonSettings

log = logging.getLogger(__name__)
Dispatch = Callable[[Envelope], Awaitable[None]]


async def _subject_of(message: StreamMessage) -> str:
    """A live message's operation id, from its correlation id; the body is never parsed. Taking the message
    as a handler's parameter instead would cost a worker-thread hop per event: FastStream resolves such a
    parameter through a synchronous dependency."""
    return message.correlation_id or ""


class EventBus:
    def __init__(self, settings: CommonSettings, source: str) -> None:
        self.settings = settings
        self.source = source
        self.broker = RabbitBroker(settings.amqp_url, logger=None, graceful_timeout=settings.drain_seconds)
        self.exchange = events_exchange(settings.exchange)
        self._queues: list[QueueSpec] = []
        # The channel each consumed queue is read through, by queue name (see _declare_queue).
        self._channels: dict[str, Channel] = {}

    def subscribe(
        self,
        base_name: str,
        events: tuple[type[EventData], ...],
        dispatch: Dispatch,
        domain: str = "*",
        batch_only: bool = False,
    ) -> QueueSpec:
        """Bind a work queue to the routing keys of `events` (for one domain, or all; or, `batch_only`,
        to those events of batch operations alone) and hand each envelope to `dispatch`; observing and
        retrying wrap it as middlewares (bus/middlewares.py)."""
        name = self.settings.queue_name(base_name)
        if batch_only:
            bindings = tuple(sorted({event.event_type for event in events}))
        else:
            bindings = tuple(sorted({f"{event.event_type}.{domain}" for event in events}))
        spec = QueueSpec(name, bindings, batch_only=batch_only)
        self._queues.append(spec)
        first_key = "" if batch_only else bindings[0]
        queue = work_queue(spec, self.exchange.name, self.settings.delivery_limit, routing_key=first_key)
        router = RabbitRouter(middlewares=self._middlewares(name))
        # FastStream binds the first key itself (so its in-memory test broker routes it); the rest, and
        # every header binding, are bound in declare_topology.
        subscriber = router.subscriber(
            queue,
            None if batch_only else self.exchange,
            channel=self._channel_for(name, self.settings.prefetch),
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=name,
            description=f"{self.source} consumes {', '.join(bindings)}"
            + (" of batch operations" if batch_only else ""),
        )

        async def consume(envelope: Envelope) -> None:
            await dispatch(envelope)

        subscriber(consume)
        self.broker.include_router(router)
        return spec

    def _channel_for(self, queue: str, prefetch: int) -> Channel:
        self._channels[queue] = Channel(prefetch_count=prefetch)
        return self._channels[queue]

    async def _declare_queue(self, queue):
        """Declare a queue through the channel its subscriber will consume on. FastStream keeps one queue
        object per queue name and consumes through the channel it was first declared on: declared here
        through the default channel (no QoS), the consumer would take every ready message at once,
        whatever its prefetch says."""
        return await self.broker.config.declarer.declare_queue(queue, channel=self._channels.get(queue.name))

    def _middlewares(self, queue: str, last_resort: bool = False) -> tuple:
        # The first is the outermost: retrying decides after the failure was observed and logged.
        return (
            functools.partial(RetryMiddleware, bus=self, queue=queue, last_resort=last_resort),
            functools.partial(ObserveMiddleware, queue=queue),
        )

    def subscribe_dead_letters(self, dispatch: Callable[[str, RabbitMessage], Awaitable[None]]) -> None:
        """Consume every service's `<queue>.dlq`; `dispatch(queue, message)` gets the raw dead letter."""
        for base in CONSUMER_QUEUES:
            dead = dead_letter_queue(QueueSpec(self.settings.queue_name(base), ()))
            router = RabbitRouter(middlewares=self._middlewares(dead.name, last_resort=True))
            subscriber = router.subscriber(
                dead,
                channel=self._channel_for(dead.name, 8),
                ack_policy=AckPolicy.NACK_ON_ERROR,
                include_in_schema=False,
            )

            subscriber(_dead_letter_consumer(base, dispatch))
            self.broker.include_router(router)

    def subscribe_live(
        self, base_name: str, events: tuple[type[EventData], ...], on_subject: Callable[[str], None]
    ) -> QueueSpec:
        """This replica's own exclusive queue, for waking local listeners: only the operation id is read
        (from the message's correlation id), so hearing every event costs almost nothing."""
        name = self.settings.queue_name(base_name)
        bindings = tuple(sorted({f"{event.event_type}.*" for event in events}))
        spec = QueueSpec(name, bindings, live=True)
        self._queues.append(spec)
        queue = work_queue(spec, self.exchange.name, self.settings.delivery_limit, routing_key=bindings[0])
        subscriber = self.broker.subscriber(
            queue, self.exchange, ack_policy=AckPolicy.ACK_FIRST, include_in_schema=False, decoder=_subject_of
        )

        async def wake(subject: str) -> None:
            if subject:
                on_subject(subject)

        subscriber(wake)
        return spec

    def document_publishes(self, *events: type[EventData], domain: str = "*") -> None:
        """Declare what this service publishes, for the AsyncAPI document (publishing itself is `publish`)."""
        for event in events:
            key = f"{event.event_type}.{domain}"
            self.broker.publisher(
                exchange=self.exchange,
                routing_key=key,
                schema=envelope_model(event),
                title=f"{self.source}:{key}",
                description=(event.__doc__ or "").strip() or None,
            )

    async def start(self) -> None:
        await self.broker.connect()
        await self.declare_topology()
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()

    async def declare_topology(self) -> None:
        """FastStream declares only the queues it consumes from; the exchanges, bindings and DLQs are ours."""
        exchange = await self.broker.declare_exchange(self.exchange)
        dlx = await self.broker.declare_exchange(dead_letter_exchange(self.exchange.name))
        for seconds in RETRY_DELAYS if any(not spec.live for spec in self._queues) else ():
            delay = await self.broker.declare_exchange(retry_exchange(self.exchange.name, seconds))
            waiting = await self.broker.declare_queue(retry_queue(self.settings.queue_prefix, seconds))
            await waiting.bind(delay)
        for spec in self._queues:
            if not spec.live:
                dlq = await self._declare_queue(dead_letter_queue(spec))
                await dlq.bind(dlx, routing_key=spec.name)
            queue = await self._declare_queue(
                work_queue(spec, self.exchange.name, self.settings.delivery_limit)
            )
            if spec.batch_only:
                await self._bind_batch_only(exchange, queue, spec)
                continue
            for key in spec.bindings:
                await queue.bind(exchange, routing_key=key)

    async def _bind_batch_only(self, exchange, queue, spec: QueueSpec) -> None:
        batch = await self.broker.declare_exchange(batch_events_exchange(self.exchange.name))
        await batch.bind(exchange, routing_key="#")
        for event_type in spec.bindings:
            await queue.bind(batch, routing_key="", arguments=batch_binding(event_type))
            # Bound by topic before batch events had a route of their own: every operation's events.
            await queue.unbind(exchange, routing_key=f"{event_type}.*")

    def envelope(self, data: EventData, event_id: str | None = None) -> Envelope:
        return Envelope.wrap(data, self.source, telemetry.current_traceparent(), event_id)

    async def publish(self, envelope: Envelope) -> None:
        """Publish persistently and wait for the broker's confirm."""
        await self.publish_serialized(
            envelope.model_dump_json().encode(),
            envelope.routing_key,
            envelope.id,
            envelope.type,
            envelope.subject,
            envelope.traceparent,
            batch_id=envelope.data.batch_id,
        )

    async def publish_serialized(
        self,
        body: bytes,
        routing_key: str,
        event_id: str,
        event_type: str,
        subject: str,
        traceparent: str | None,
        exchange: str | None = None,
        batch_id: str | None = None,
    ) -> None:
        """Publish an envelope already serialised (the outbox stores them so), without re-validating it.
        `exchange=""` (the default exchange) sends it to the one queue named by `routing_key`; an event of
        a batch operation (`batch_id`) carries the headers batch-only queues bind by."""
        headers = batch_headers(event_type, batch_id)
        if traceparent:
            headers["traceparent"] = traceparent
        await self.broker.publish(
            body,
            exchange=self.exchange if exchange is None else exchange,
            routing_key=routing_key,
            persist=True,
            mandatory=False,
            message_id=event_id,
            correlation_id=subject,  # the operation id, readable without parsing the body
            content_type="application/json",
            message_type=event_type,
            timestamp=datetime.now(UTC),
            headers=headers or None,
        )
        metrics.EVENTS_PUBLISHED.labels(self.source, event_type).inc()

    async def publish_delayed(self, message: RabbitMessage, queue: str, seconds: int, headers: dict) -> None:
        """Park a copy of a consumed message for `seconds`; it then returns to `queue` (see topology)."""
        raw = message.raw_message
        await self.broker.publish(
            raw.body,
            exchange=retry_exchange(self.exchange.name, seconds),
            routing_key=queue,
            persist=True,
            mandatory=False,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            content_type=raw.content_type,
            message_type=raw.type,
            timestamp=raw.timestamp,
            headers=headers,
        )

    async def publish_data(self, data: EventData, event_id: str | None = None) -> Envelope:
        envelope = self.envelope(data, event_id)
        await self.publish(envelope)
        return envelope

    async def ping(self) -> None:
        if not await self.broker.ping(timeout=2.0):
            raise ConnectionError("RabbitMQ is not reachable")


def _dead_letter_consumer(queue: str, dispatch):
    async def consume(message: RabbitMessage) -> None:
        await dispatch(queue, message)

    return consume


@functools.cache
def envelope_model(event: type[EventData]) -> type[Envelope]:
    """The envelope with `data` narrowed to one event, so the contract documents each event's shape."""
    return create_model(f"{event.__name__}Envelope", __base__=Envelope, data=(event, ...))
