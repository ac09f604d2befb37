"""The broker's own limit on this machine: a raw publish/consume loop with no service code in it.

Messages are the pipeline's own (one of each event an operation publishes, at their real sizes), sent
persistent with publisher confirms to a durable quorum queue, `window` in flight like the outbox relay,
and consumed with manual acks at the services' prefetch. The rate is messages published, routed, stored,
delivered and acked per second: what the orchestration would reach if it cost nothing.

    uv run python scripts/bench_broker.py [--seconds 5]
"""

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aio_pika

from studio_common.events import (
    AssetIndexed,
    Envelope,
    OperationApproved,
    OperationCompleted,
    OperationRequested,
    OperationSettled,
    OperationStarted,
    OutputRef,
)
from studio_common.settings import CommonSettings


def pipeline_messages() -> list[bytes]:
    """One of each event an operation publishes, as its service serialises it."""
    ids = {"operation_id": uuid.uuid4().hex, "user_id": "bench-burst-1a2b3c"}
    request = {
        "kind": "create",
        "provider": "local",
        "model": "local-diffusion",
        "params": {"prompt": "benchmark: a lighthouse on a cliff at sunset", "width": 256, "height": 256},
    }
    output = OutputRef(
        index=0,
        storage_key=f"outputs/{ids['user_id']}/{ids['operation_id']}/0.png",
        content_type="image/png",
        width=256,
        height=256,
        bytes=48213,
        seed=1234567,
        tags=["landscape", "warm colours", "orange"],
        phash="c3a5f0e19b2d4c87",
        methods={"tagging": "classical"},
    )
    events = [
        OperationRequested(**ids, **request),
        OperationApproved(
            **ids, **request, hold_id="h" * 32, credits=4, unit_credits=4, deadline=datetime.now(UTC)
        ),
        OperationStarted(**ids, provider="local", model="local-diffusion"),
        OperationCompleted(
            **ids,
            kind="create",
            provider="local",
            model="local-diffusion",
            outputs=[output],
            units_delivered=1,
            unit_credits=4,
            prompt=request["params"]["prompt"],
        ),
        OperationSettled(**ids, charged_credits=4, released_credits=0),
        AssetIndexed(**ids, asset_id="a" * 32, output_index=0),
    ]
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
    return [Envelope.wrap(e, "bench", traceparent).model_dump_json().encode() for e in events]


def broker_cpu_seconds() -> float:
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"beam.smp" not in (proc / "cmdline").read_bytes():
                    continue
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def broker_limit(seconds: float = 5.0, window: int = 32, prefetch: int = 16) -> dict:
    """Messages/s through one quorum queue, publishing and consuming at once; and broker CPU per message."""
    url = CommonSettings().amqp_url
    bodies = pipeline_messages()
    name = f"bench.broker.{uuid.uuid4().hex[:10]}"
    publisher, consumer = await aio_pika.connect(url), await aio_pika.connect(url)
    try:
        out = await publisher.channel(publisher_confirms=True)
        queue = await out.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        inbound = await consumer.channel()
        await inbound.set_qos(prefetch_count=prefetch)
        consumed = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal consumed
            await message.ack()
            consumed += 1

        inbound_queue = await inbound.get_queue(name)
        tag = await inbound_queue.consume(on_message)
        published, deadline = 0, time.monotonic() + seconds
        cpu_before, started = broker_cpu_seconds(), time.perf_counter()

        async def publish_loop() -> None:
            nonlocal published
            while time.monotonic() < deadline:
                body = bodies[published % len(bodies)]
                published += 1
                message = aio_pika.Message(
                    body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json"
                )
                await out.default_exchange.publish(message, routing_key=name)

        await asyncio.gather(*(publish_loop() for _ in range(window)))
        while consumed < published and time.perf_counter() - started < seconds + 30:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        cpu = broker_cpu_seconds() - cpu_before
        await inbound_queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await publisher.close()
        await consumer.close()
    return {
        "messages_per_second": consumed / elapsed,
        "broker_cpu_ms_per_message": 1000 * cpu / max(consumed, 1),
        "mean_bytes": sum(map(len, bodies)) / len(bodies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    limit = asyncio.run(broker_limit(args.seconds))
    print(
        f"broker limit: {limit['messages_per_second']:.0f} persistent confirmed messages/s "
        f"(mean {limit['mean_bytes']:.0f} bytes), "
        f"RabbitMQ {limit['broker_cpu_ms_per_message']:.2f} ms CPU each"
    )


if __name__ == "__main__":
    main()
