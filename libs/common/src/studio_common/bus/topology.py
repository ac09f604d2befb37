"""Exchanges and queues as docs/architecture.md fixes them: one topic exchange, quorum work queues that
dead-letter into `<queue>.dlq`, and delay queues through which transient failures come back later."""

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

# Seconds a transiently failed message waits before it returns to its work queue, by attempt.
RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)

# Every service queue whose dead letters the resolver watches (each service's base queue name).
CONSUMER_QUEUES = ("gateway", "billing", "generation", "editing", "transform", "assets", "batch")


# Headers on every event of an operation that belongs to a batch, so that a queue can take only those.
# Not "x-" names: a headers exchange leaves those out of matching.
BATCH_HEADER = "studio-batch"
EVENT_HEADER = "studio-event"


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    bindings: tuple[str, ...]
    # A replica's own live fan-out queue: exclusive, auto-delete, classic (quorum queues cannot be exclusive).
    live: bool = False
    # Only the events (`bindings` are then event types) of operations that belong to a batch.
    batch_only: bool = False


def events_exchange(name: str) -> RabbitExchange:
    return RabbitExchange(name, type=ExchangeType.TOPIC, durable=True)


def batch_events_exchange(events_exchange_name: str) -> RabbitExchange:
    """Every event the topic exchange routes (bound to it with `#`), for queues that want only those of
    batch operations: they bind by header (BATCH_HEADER and the event type), so the events of the other
    operations never reach them."""
    return RabbitExchange(f"{events_exchange_name}.batch-operations", type=ExchangeType.HEADERS, durable=True)


def batch_binding(event_type: str) -> dict:
    return {"x-match": "all", BATCH_HEADER: "1", EVENT_HEADER: event_type}


def batch_headers(event_type: str, batch_id: str | None) -> dict:
    return {BATCH_HEADER: "1", EVENT_HEADER: event_type} if batch_id else {}


def dead_letter_exchange(events_exchange_name: str) -> RabbitExchange:
    return RabbitExchange(f"{events_exchange_name}.dlx", type=ExchangeType.DIRECT, durable=True)


def dead_letter_queue(spec: QueueSpec) -> RabbitQueue:
    return RabbitQueue(f"{spec.name}.dlq", queue_type=QueueType.QUORUM, durable=True, routing_key=spec.name)


def retry_delay(attempt: int) -> int:
    """The wait before the given retry (1-based): growing to minutes, then staying there."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


def retry_exchange(events_exchange_name: str, seconds: int) -> RabbitExchange:
    # Fanout: the routing key (the work queue's name) passes through untouched to the dead-lettering below.
    return RabbitExchange(f"{events_exchange_name}.retry.{seconds}s", type=ExchangeType.FANOUT, durable=True)


def retry_queue(queue_prefix: str, seconds: int) -> RabbitQueue:
    """Messages wait here `seconds`, then expire into the default exchange, which routes them by their
    routing key (the work queue's name) straight back to the queue they came from. A quorum queue with
    at-least-once dead-lettering: a message that expires while the broker restarts is not dropped."""
    return RabbitQueue(
        f"{queue_prefix}retry.{seconds}s",
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments={
            "x-message-ttl": seconds * 1000,
            "x-dead-letter-exchange": "",
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def work_queue(
    spec: QueueSpec, events_exchange_name: str, delivery_limit: int, routing_key: str = ""
) -> RabbitQueue:
    if spec.live:
        return RabbitQueue(
            spec.name, durable=False, exclusive=True, auto_delete=True, routing_key=routing_key
        )
    return RabbitQueue(
        spec.name,
        routing_key=routing_key,
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments={
            "x-dead-letter-exchange": dead_letter_exchange(events_exchange_name).name,
            "x-dead-letter-routing-key": spec.name,
            "x-delivery-limit": delivery_limit,
        },
    )
