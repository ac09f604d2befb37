"""Messaging on RabbitMQ: topology, the event bus, the transactional outbox and the inbox."""

from studio_common.bus.bus import EventBus
from studio_common.bus.inbox import first_delivery, make_inbox_table
from studio_common.bus.outbox import OutboxRelay, add_to_outbox, make_outbox_table

__all__ = ["EventBus", "OutboxRelay", "add_to_outbox", "first_delivery", "make_inbox_table", "make_outbox_table"]
