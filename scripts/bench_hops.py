"""Where a steady operation's time goes: the hops between the events the pipeline publishes, timed by
when each event crossed the exchange (an exclusive queue bound to every event; only the routing key and
the correlation id are read). Used by bench_pipeline.py's steady phase."""

import time
from datetime import UTC, datetime

import aio_pika
from bench_metrics import percentile

# (hop, the event published or read-model moment it starts from, the one it ends at)
HOPS = (
    ("gateway: accepted -> requested", "accepted", "operation.requested"),
    ("billing: requested -> approved", "operation.requested", "operation.approved"),
    ("worker: approved -> completed", "operation.approved", "operation.completed"),
    ("gateway: completed -> succeeded", "operation.completed", "succeeded"),
)


class HopRecorder:
    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url, self.exchange = amqp_url, exchange
        self.seen: dict[tuple[str, str], float] = {}  # (event type, operation id) -> first crossing, epoch s

    async def __aenter__(self) -> "HopRecorder":
        self.connection = await aio_pika.connect(self.amqp_url)
        channel = await self.connection.channel()
        exchange = await channel.declare_exchange(self.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._note, no_ack=True)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.connection.close()

    async def _note(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        event_type = (message.routing_key or "").rsplit(".", 1)[0]  # routing key: <type>.<domain>
        self.seen.setdefault((event_type, message.correlation_id or ""), time.time())

    def summary(self, operations: list[dict]) -> dict[str, list[float]]:
        """p50/p95 ms of each hop over the operations that succeeded."""
        spans: dict[str, list[float]] = {hop: [] for hop, _, _ in HOPS}
        for op in operations:
            if op["status"] != "succeeded":
                continue
            moments = {
                "accepted": _epoch(op["created_at"]),
                "succeeded": _epoch(op["finished_at"]),
                **{kind: self.seen.get((kind, op["operation_id"])) for _, _, kind in HOPS[:-1]},
            }
            for hop, start, end in HOPS:
                if moments.get(start) is not None and moments.get(end) is not None:
                    spans[hop].append(moments[end] - moments[start])
        return {hop: [percentile(v, p) * 1000 for p in (50, 95)] if v else [] for hop, v in spans.items()}


def _epoch(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
