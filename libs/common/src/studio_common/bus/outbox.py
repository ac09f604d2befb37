"""Transactional outbox: the event row commits with the change; a relay publishes it with confirms.

The relay is woken right after a commit (low latency) and also sweeps on a timer, so rows left by a
crash between commit and publish still go out. Publishing twice is harmless: consumers deduplicate.
"""

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from studio_common.background import StopSignal, finish
from studio_common.db import is_sqlite
from studio_common.events import Envelope
from studio_common.ids import utcnow

log = logging.getLogger(__name__)


def make_outbox_table(metadata: MetaData) -> Table:
    if "outbox" in metadata.tables:  # one service, several app instances (tests)
        return metadata.tables["outbox"]
    return Table(
        "outbox",
        metadata,
        Column("id", String(64), primary_key=True),
        Column("routing_key", String(128), nullable=False),
        Column("envelope", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
        Column("sent", Boolean, nullable=False, default=False),
        Index("ix_outbox_unsent", "sent", "created_at"),
    )


async def add_to_outbox(session: AsyncSession, table: Table, envelope: Envelope) -> None:
    await session.execute(
        table.insert().values(
            id=envelope.id,
            routing_key=envelope.routing_key,
            envelope=envelope.model_dump(mode="json"),
            created_at=utcnow(),
            sent=False,
        )
    )


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, table: Table, bus, batch_size: int = 200, interval: float = 1.0):
        self.engine, self.table, self.bus = engine, table, bus
        self.batch_size, self.interval = batch_size, interval
        self._wake = asyncio.Event()
        self._stop = StopSignal()
        self._task: asyncio.Task | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop = StopSignal()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        # Asked, not cancelled: a flush cut off between publish and mark-sent would hold SQLite's lock.
        self._stop.set()
        self._wake.set()
        if self._task:
            await finish([self._task])
        await self.flush()

    async def _run(self) -> None:
        while not self._stop.is_set:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            if self._stop.is_set:
                return  # stop() flushes once more itself
            try:
                while await self.flush() == self.batch_size and not self._stop.is_set:
                    pass
            except Exception:
                log.exception("outbox relay failed; retrying")
                await self._stop.wait(self.interval)

    async def flush(self) -> int:
        """Publish one batch of unsent rows; returns how many were sent."""
        if is_sqlite(str(self.engine.url)):
            return await self._flush_single_writer()
        async with self.engine.begin() as conn:
            # Replicas share the table: SKIP LOCKED gives each its own rows while it publishes them.
            rows = (await conn.execute(self._unsent().with_for_update(skip_locked=True))).all()
            await self._publish(rows)
            await self._mark_sent(conn, rows)
        return len(rows)

    async def _flush_single_writer(self) -> int:
        # SQLite has one writer lock: never hold it while waiting for the broker.
        async with self.engine.begin() as conn:
            rows = (await conn.execute(self._unsent())).all()
        await self._publish(rows)
        async with self.engine.begin() as conn:
            await self._mark_sent(conn, rows)
        return len(rows)

    async def purge_sent(self, older_than: timedelta = timedelta(hours=1)) -> int:
        """Sent rows are only an audit trail for a while; keep the table small."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                self.table.delete().where(
                    self.table.c.sent.is_(True), self.table.c.created_at < utcnow() - older_than
                )
            )
        return result.rowcount

    def _unsent(self):
        query = select(self.table.c.id, self.table.c.routing_key, self.table.c.envelope)
        query = query.where(self.table.c.sent.is_(False))
        return query.order_by(self.table.c.created_at).limit(self.batch_size)

    async def _publish(self, rows) -> None:
        await asyncio.gather(*(self._publish_row(row) for row in rows))

    async def _publish_row(self, row) -> None:
        envelope = row.envelope  # stored as validated JSON when the change committed
        await self.bus.publish_serialized(
            json.dumps(envelope).encode(),
            row.routing_key,
            envelope["id"],
            envelope["type"],
            envelope["subject"],
            envelope.get("traceparent"),
        )

    async def _mark_sent(self, conn, rows) -> None:
        if rows:
            ids = [row.id for row in rows]
            await conn.execute(update(self.table).where(self.table.c.id.in_(ids)).values(sent=True))
