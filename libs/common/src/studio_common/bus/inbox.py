"""Inbox: the id of every handled event, written in the handler's own transaction.

A redelivered or replayed event finds its id already there and changes nothing (invariant I7).
"""

from sqlalchemy import Column, DateTime, MetaData, String, Table

from studio_common.db import Executor, dialect_name, insert_unless_present
from studio_common.ids import utcnow


def make_inbox_table(metadata: MetaData) -> Table:
    if "inbox" in metadata.tables:  # one service, several app instances (tests)
        return metadata.tables["inbox"]
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, default=utcnow),
    )


async def first_delivery(session: Executor, table: Table, event_id: str, event_type: str) -> bool:
    """Record the event; False if it was handled before. Call inside the handler's transaction.

    One statement (insert unless present): a concurrent duplicate waits on the key and then inserts
    nothing, so exactly one delivery does the work.
    """
    statement = insert_unless_present(dialect_name(session), table, "event_id")
    result = await session.execute(
        statement, {"event_id": event_id, "event_type": event_type, "received_at": utcnow()}
    )
    return result.rowcount == 1
