"""Messaging on RabbitMQ: topology, the event bus, the transactional outbox and the inbox."""

from studio_common.bus.bus import EventBus
from studio_common.bus.inbox import first_delivery, make_inbox_table
from studio_common.bus.outbox import OutboxRelay, add_to_outbox, make_outbox_table, outbox_row
from studio_common.db import new_metadata


def service_metadata():
    """A service database's metadata, already holding the outbox and inbox tables: they live beside the
    service's own tables so that events commit with the change (and migrations create them)."""
    metadata = new_metadata()
    make_outbox_table(metadata)
    make_inbox_table(metadata)
    return metadata


__all__ = [
    "EventBus",
    "OutboxRelay",
    "add_to_outbox",
    "first_delivery",
    "make_inbox_table",
    "make_outbox_table",
    "outbox_row",
    "service_metadata",
]
