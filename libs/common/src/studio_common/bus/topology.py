"""Exchanges and queues as DESIGN.md fixes them: one topic exchange, quorum queues that dead-letter."""

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue


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


def work_queue(spec: QueueSpec, events_exchange_name: str, delivery_limit: int, routing_key: str = "") -> RabbitQueue:
    if spec.live:
        return RabbitQueue(spec.name, durable=False, exclusive=True, auto_delete=True, routing_key=routing_key)
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
