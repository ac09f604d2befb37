"""Exchanges and queues as docs/architecture.md fixes them: one topic exchange, quorum work queues that
dead-letter into `<queue>.dlq`, and delay queues through which transient failures come back later."""

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

# Seconds a transiently failed message waits before it returns to its work queue, by attempt.
RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)

# Every service queue whose dead letters the resolver watches (each service's base queue name).
CONSUMER_QUEUES = ("gateway", "billing", "generation", "editing", "transform", "assets", "batch")


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    bindings: tuple[str, ...]
    # A replica's own live fan-out queue: exclusive, auto-delete, classic (quorum queues cannot be exclusive).
    live: bool = False


def events_exchange(name: str) -> RabbitExchange:
    return RabbitExchange(name, type=ExchangeType.TOPIC, durable=True)


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
