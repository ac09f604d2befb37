"""Transactional outbox: the event row commits with the change; a relay publishes it with confirms.

The transaction that wrote the rows hands them to its process's relay as it commits (`handing_over`,
`stage`), so they
are published from memory at once, with no query to find them. Marking them sent waits a moment
(`mark_every`), so that under load one statement marks what many commits handed over, not one statement
per commit: the mark only keeps the sweep away, and the sweep leaves rows alone for seconds. The relay also
sweeps the table on a timer for rows older than a few seconds still unsent: rows left by a crash between
commit and publish, or by a publish that failed, still go out. Publishing twice is harmless: consumers
deduplicate.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from studio_common.background import StopSignal, finish
from studio_common.db import Executor, is_sqlite, one_statement
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


def outbox_row(envelope: Envelope) -> dict:
    return {
        "id": envelope.id,
        "routing_key": envelope.routing_key,
        "envelope": envelope.model_dump(mode="json"),
        "created_at": utcnow(),
        "sent": False,
    }


async def add_to_outbox(session: Executor, table: Table, envelope: Envelope) -> dict:
    """Insert the event's row in the session's transaction; returns the row."""
    row = outbox_row(envelope)
    # The statement without values, the row as parameters: a cached compiled insert, no per-call clause
    # building (which cost more than the insert itself).
    await session.execute(table.insert(), row)
    return row


_STAGED = "studio_outbox_staged"


@asynccontextmanager
async def handing_over(connection: AsyncConnection, relay: "OutboxRelay") -> AsyncIterator[AsyncConnection]:
    """A transaction on `connection` whose staged rows (`stage`) go to `relay` once it committed; dropped
    if it rolls back."""
    connection.info[_STAGED] = []  # the info outlives the transaction, with the pooled connection
    try:
        async with connection.begin():
            yield connection
    finally:
        rows = connection.info.pop(_STAGED)
    if rows:
        relay.hand_over(rows)


def stage(connection: AsyncConnection, row: dict) -> None:
    """Hand `row` to the relay once the transaction `handing_over` opened commits."""
    connection.info[_STAGED].append(row)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        bus,
        batch_size: int = 200,
        interval: float = 1.0,
        grace: timedelta = timedelta(seconds=5),
        mark_every: float = 0.25,
    ):
        self.engine, self.table, self.bus = engine, table, bus
        self.batch_size, self.interval, self.mark_every = batch_size, interval, mark_every
        # The sweep leaves rows younger than this to the process that committed them (being published
        # from memory): sweeping them too would publish every busy second's rows twice.
        self.grace = grace
        self._wake = asyncio.Event()
        self._stop = StopSignal()
        self._task: asyncio.Task | None = None
        self._handed: list[dict] = []
        # Handed over and not yet marked sent: a sweep that finds them (a transaction slower than the
        # grace) leaves them to the publisher that has them.
        self._handed_ids: set[str] = set()
        self._published: list[str] = []  # published from memory, to be marked sent
        self._published_at = 0.0  # when the first of them was
        self._swept_at = 0.0

    def wake(self) -> None:
        self._wake.set()

    def hand_over(self, rows: list[dict]) -> None:
        """Rows just committed: publish them from memory (see `stage`)."""
        self._handed.extend(rows)
        self._handed_ids.update(row["id"] for row in rows)
        self._wake.set()

    @property
    def handed_not_sent(self) -> list[dict]:
        """Rows handed over and not yet taken to be published (a copy)."""
        return list(self._handed)

    def start(self) -> None:
        self._stop = StopSignal()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        # Asked, not cancelled: a flush cut off between publish and mark-sent would hold SQLite's lock.
        self._stop.set()
        self._wake.set()
        if self._task:
            await finish([self._task])
        with contextlib.suppress(Exception):  # unmarked, they are published once more below: harmless
            await self._mark_published()
        self._handed, self._handed_ids = [], set()  # still in the table: the last flush publishes them
        await self.flush()

    async def _run(self) -> None:
        while not self._stop.is_set:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_turn_in())
            self._wake.clear()
            if self._stop.is_set:
                return  # stop() flushes once more itself
            try:
                await self._send_handed()
                if self._published and self._next_turn_in() == 0:
                    await self._mark_published()
                if time.monotonic() - self._swept_at >= self.interval:
                    self._swept_at = time.monotonic()
                    while await self.flush(self.grace) == self.batch_size and not self._stop.is_set:
                        pass
            except Exception:
                log.exception("outbox relay failed; retrying")
                await self._stop.wait(self.interval)

    def _next_turn_in(self) -> float:
        """Seconds until the relay must act unwoken: the published rows' mark falls due, or the sweep."""
        if not self._published:
            return self.interval
        due = self._published_at + self.mark_every - time.monotonic()
        return 0.0 if len(self._published) >= self.batch_size else max(0.0, min(due, self.interval))

    async def _send_handed(self) -> None:
        """Publish the rows handed over since the last turn; left to the sweep if publishing fails."""
        while self._handed and not self._stop.is_set:
            rows, self._handed = self._handed[: self.batch_size], self._handed[self.batch_size :]
            ids = [row["id"] for row in rows]
            try:
                await self._publish(rows)
            except Exception:
                self._handed_ids.difference_update(ids)
                raise
            if not self._published:
                self._published_at = time.monotonic()
            self._published.extend(ids)

    async def _mark_published(self) -> None:
        """Mark what was published from memory as sent, a batch per statement; kept for later if it fails."""
        while self._published:
            ids = self._published[: self.batch_size]
            async with one_statement(self.engine) as conn:
                await self._mark_sent(conn, ids)
            self._published = self._published[len(ids) :]
            self._handed_ids.difference_update(ids)

    async def flush(self, older_than: timedelta = timedelta(0)) -> int:
        """Publish one batch of unsent rows written at least `older_than` ago; returns how many were sent."""
        if is_sqlite(str(self.engine.url)):
            return await self._flush_single_writer(older_than)
        async with self.engine.begin() as conn:
            # Replicas share the table: SKIP LOCKED gives each its own rows while it publishes them.
            query = self._unsent(older_than).with_for_update(skip_locked=True)
            rows = self._not_handed(await conn.execute(query))
            await self._publish(rows)
            await self._mark_sent(conn, [row["id"] for row in rows])
        return len(rows)

    async def _flush_single_writer(self, older_than: timedelta) -> int:
        # SQLite has one writer lock: never hold it while waiting for the broker.
        async with self.engine.begin() as conn:
            rows = self._not_handed(await conn.execute(self._unsent(older_than)))
        await self._publish(rows)
        async with self.engine.begin() as conn:
            await self._mark_sent(conn, [row["id"] for row in rows])
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

    def _not_handed(self, result) -> list[dict]:
        return [row._asdict() for row in result if row.id not in self._handed_ids]

    def _unsent(self, older_than: timedelta):
        query = select(self.table.c.id, self.table.c.routing_key, self.table.c.envelope)
        query = query.where(self.table.c.sent.is_(False))
        if older_than:
            query = query.where(self.table.c.created_at <= utcnow() - older_than)
        return query.order_by(self.table.c.created_at).limit(self.batch_size)

    async def _publish(self, rows: list[dict]) -> None:
        await asyncio.gather(*(self._publish_row(row) for row in rows))

    async def _publish_row(self, row: dict) -> None:
        envelope = row["envelope"]  # stored as validated JSON when the change committed
        await self.bus.publish_serialized(
            json.dumps(envelope).encode(),
            row["routing_key"],
            envelope["id"],
            envelope["type"],
            envelope["subject"],
            envelope.get("traceparent"),
            batch_id=(envelope.get("data") or {}).get("batch_id"),
        )

    async def _mark_sent(self, conn, ids: list[str]) -> None:
        if ids:
            await conn.execute(update(self.table).where(self.table.c.id.in_(ids)).values(sent=True))
