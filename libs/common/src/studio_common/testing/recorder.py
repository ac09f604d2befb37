"""Test tooling: publish raw envelopes and record every event that crosses a test's exchange."""

import asyncio
import contextlib
import json
from collections.abc import Callable

import aio_pika

from studio_common.bus.topology import batch_headers
from studio_common.events import Envelope, EventData


class EventRecorder:
    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url, self.exchange_name = amqp_url, exchange
        self.events: list[Envelope] = []
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> "EventRecorder":
        self.connection = await aio_pika.connect(self.amqp_url)
        channel = await self.connection.channel(publisher_confirms=True)
        self.exchange = await channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(self.exchange, routing_key="#")
        await queue.consume(self._record, no_ack=True)
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            await self.connection.close()

    async def _record(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        envelope = Envelope.model_validate(json.loads(message.body))
        async with self._changed:
            self.events.append(envelope)
            self._changed.notify_all()

    async def publish(self, data: EventData, event_id: str | None = None, source: str = "test") -> Envelope:
        envelope = Envelope.wrap(data, source, event_id=event_id)
        await self.publish_envelope(envelope)
        return envelope

    async def publish_envelope(self, envelope: Envelope) -> None:
        await self.exchange.publish(
            aio_pika.Message(
                envelope.model_dump_json().encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=envelope.id,
                # as the services publish it: batch operations' events carry the headers batch queues bind by
                headers=batch_headers(envelope.type, envelope.data.batch_id) or None,
            ),
            routing_key=envelope.routing_key,
        )

    async def publish_raw(self, body: bytes, routing_key: str) -> None:
        await self.exchange.publish(
            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=routing_key
        )

    def of_type(self, event_type: type[EventData], operation_id: str | None = None) -> list:
        return [
            e.data
            for e in self.events
            if isinstance(e.data, event_type) and (operation_id is None or e.subject == operation_id)
        ]

    async def wait_for(self, predicate: Callable[[list[Envelope]], bool], timeout: float = 20.0) -> None:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self.events))

        try:
            await asyncio.wait_for(satisfied(), timeout)
        except TimeoutError:
            types = [e.type for e in self.events][-30:]
            raise AssertionError(f"condition not met in {timeout}s; last events: {types}") from None

    async def wait_count(self, event_type: type[EventData], count: int, timeout: float = 20.0) -> list:
        await self.wait_for(lambda _: len(self.of_type(event_type)) >= count, timeout)
        return self.of_type(event_type)
