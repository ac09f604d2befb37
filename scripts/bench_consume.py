"""What one delivered event costs a service before its handler does anything: consumer-process CPU per
message, layer by layer, against a queue filled beforehand (so the publisher's CPU is not counted).

- raw: aio-pika consuming and acking at the services' prefetch (the floor);
- bus: `EventBus.subscribe` with a handler that does nothing (FastStream, our middlewares, the envelope
  parsed and validated);
- inbox, <database>: `ServiceRuntime.consume` with a handler that returns no events (a transaction with
  the event's inbox record);
- grouped, <database>: the inbox layer with group commit (`consume(..., together=True)`): the messages that
  arrive while a transaction runs share the next one;
- emit, <database>: a handler that returns one event (its outbox row, and the relay publishing it with a
  confirm and marking it sent).

    uv run python scripts/bench_consume.py [--messages 2000] [--databases sqlite,postgres]
"""

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

import aio_pika
from bench_billing import database
from bench_broker import pipeline_messages
from sqlalchemy import MetaData

from studio_common.bus.topology import (
    RETRY_DELAYS,
    QueueSpec,
    dead_letter_exchange,
    retry_exchange,
    retry_queue,
    work_queue,
)
from studio_common.events import OperationCompleted, OperationSettled
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings

COMPLETED = json.loads(next(body for body in pipeline_messages() if b'"operation.completed"' in body))


class Drained:
    """Counts handled messages; `done` is set once `total` were."""

    def __init__(self, total: int) -> None:
        self.total, self.count, self.done = total, 0, asyncio.Event()

    def one(self) -> None:
        self.count += 1
        if self.count >= self.total:
            self.done.set()


async def filled(settings: CommonSettings, base: str, messages: int) -> str:
    """The work queue declared as the services declare it, holding `messages` copies of a completion."""
    name = settings.queue_name(base)
    spec = QueueSpec(name, ("operation.completed.*",))
    queue = work_queue(spec, settings.exchange, settings.delivery_limit)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(name, durable=True, arguments=queue.arguments)
        for start in range(0, messages, 200):
            await asyncio.gather(
                *(
                    channel.default_exchange.publish(
                        aio_pika.Message(
                            # Each its own event id: the inbox would drop copies of one event unhandled.
                            json.dumps(COMPLETED | {"id": uuid.uuid4().hex}).encode(),
                            message_id=uuid.uuid4().hex,
                            correlation_id=uuid.uuid4().hex,
                            type="operation.completed",
                            content_type="application/json",
                            headers={"traceparent": COMPLETED["traceparent"]},  # as the relay sends it
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=name,
                    )
                    for _ in range(min(200, messages - start))
                )
            )
    return name


async def cleared(settings: CommonSettings, base: str) -> None:
    """Delete what one measurement declared (the runtime declares its retry and dead-letter topology)."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        name = settings.queue_name(base)
        for queue in (
            name,
            f"{name}.dlq",
            *(retry_queue(settings.queue_prefix, s).name for s in RETRY_DELAYS),
        ):
            await channel.queue_delete(queue)
        exchanges = [settings.exchange, dead_letter_exchange(settings.exchange).name]
        for exchange in exchanges + [retry_exchange(settings.exchange, s).name for s in RETRY_DELAYS]:
            await channel.exchange_delete(exchange)


async def timed(start: Callable[[], Awaitable[None]], drained: Drained) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    await start()
    try:
        await asyncio.wait_for(drained.done.wait(), 120)
    except TimeoutError:
        raise SystemExit(f"{drained.count} of {drained.total} messages handled in 120 s") from None
    return (time.process_time() - cpu) * 1000 / drained.total, (time.perf_counter() - wall) / drained.total


async def raw(settings: CommonSettings, messages: int) -> tuple[float, float]:
    name = await filled(settings, "raw", messages)  # base name "raw", as `measure` clears it
    drained = Drained(messages)
    async with await aio_pika.connect(settings.amqp_url) as connection:

        async def start() -> None:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=settings.prefetch)
            queue = await channel.get_queue(name)

            async def on_message(message) -> None:
                await message.ack()
                drained.one()

            await queue.consume(on_message)

        return await timed(start, drained)


async def through_runtime(
    settings: CommonSettings, base: str, messages: int, handler, metadata: MetaData | None, together=False
) -> tuple[float, float]:
    await filled(settings, base, messages)
    drained = Drained(messages)
    runtime = ServiceRuntime(settings, metadata)

    async def counted(session, data):
        emitted = await handler(session, data)
        drained.one()  # counted once handled: a failing handler stops the run rather than flatter it
        return emitted

    runtime.consume(base, {OperationCompleted: counted}, domain="*", together=together)
    try:
        return await timed(runtime.start, drained)
    finally:
        await runtime.stop()


async def nothing(_session, _data) -> list:
    return []


async def one_event(_session, data: OperationCompleted) -> list:
    return [
        OperationSettled(
            operation_id=data.operation_id, user_id=data.user_id, charged_credits=1, released_credits=0
        )
    ]


def settings_for(run: str, url: str = "") -> CommonSettings:
    prefix = f"bench.consume.{run}.{uuid.uuid4().hex[:8]}."
    return CommonSettings(
        service_name="bench", queue_prefix=prefix, exchange=f"{prefix}events", database_url=url
    )


async def measure(layer: str, messages: int, url: str = "") -> tuple[float, float]:
    settings, base = settings_for(layer.split(",")[0], url), layer.replace(",", ".")
    try:
        if layer == "raw":
            return await raw(settings, messages)
        if layer == "bus":
            return await through_runtime(settings, base, messages, nothing, None)
        handler = one_event if layer.startswith("emit") else nothing
        together = layer.startswith("grouped")
        return await through_runtime(settings, base, messages, handler, MetaData(), together)
    finally:
        await cleared(settings, base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    print("per message         CPU ms   elapsed ms")
    for layer in ("raw", "bus"):
        cpu, wall = asyncio.run(measure(layer, args.messages))
        print(f"{layer:<18}{cpu:7.2f}{wall * 1000:11.2f}")
    for kind in args.databases.split(","):
        for layer in ("inbox", "grouped", "emit"):
            with database(kind) as url, tempfile.TemporaryDirectory():
                cpu, wall = asyncio.run(measure(f"{layer},{kind}", args.messages, url))
            print(f"{layer + ', ' + kind:<18}{cpu:7.2f}{wall * 1000:11.2f}")


if __name__ == "__main__":
    main()
