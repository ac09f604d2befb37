"""What every service process has: settings, logs and traces, the bus, optionally a database with its
outbox and inbox, background tasks, the /healthz and /readyz endpoints, and /metrics on its own port."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from studio_common import db, metrics, migrations, service_app, telemetry, writes
from studio_common.background import StopSignal, finish, periodically
from studio_common.bus import (
    EventBus,
    OutboxRelay,
    add_to_outbox,
    make_inbox_table,
    make_outbox_table,
    outbox_row,
)
from studio_common.bus.inbox import first_delivery
from studio_common.bus.outbox import handing_over, stage
from studio_common.events import Envelope, EventData
from studio_common.group_commit import GroupCommit
from studio_common.ids import derived_id
from studio_common.reachability import ExitFlag, until_reachable
from studio_common.settings import CommonSettings

log = logging.getLogger(__name__)
Hook = Callable[[], Awaitable[None]]
# The one shape of an event handler in every service: given the unit of work and the event, the events to
# emit. Services with a database get the transaction's connection (the runtime commits the inbox record, the
# handler's changes and the emitted events together); stateless workers get None, and what they return
# is published with ids derived from the event handled.
Handler = Callable[[Any, EventData], Awaitable[list[EventData]]]


class ServiceRuntime:
    def __init__(
        self, settings: CommonSettings, metadata: MetaData | None = None, migrations: Path | None = None
    ) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.bus = EventBus(settings, self.name)
        self.metadata = metadata
        self.migrations = migrations
        self.engine = self.sessions = self.outbox = self.inbox = self.relay = None
        self.read_engine = None
        if metadata is not None:
            self.outbox = make_outbox_table(metadata)
            self.inbox = make_inbox_table(metadata)
            self.engine = db.make_engine(settings.default_database_url(), settings.database_pool_size)
            self.sessions = db.session_factory(self.engine)
            self.read_engine = db.make_read_engine(settings.default_database_url(), self.engine)
            self.relay = OutboxRelay(self.engine, self.outbox, self.bus)
        self._background = asyncio.Semaphore()
        self._shutdown: list[Hook] = []
        self._loops: list[tuple[float, Hook]] = []
        self._tasks: list[asyncio.Task] = []
        self._stop = StopSignal()
        self._ready_checks: list[Callable[[], dict[str, str]]] = []
        self.exiting = ExitFlag()  # set by `serve` on SIGTERM/SIGINT
        if self.relay:
            self.every(600, self.relay.purge_sent)

    def add_ready_check(self, check: Callable[[], dict[str, str]]) -> None:
        """More /readyz entries (e.g. which model files a worker has); only "ok" counts as ready."""
        self._ready_checks.append(check)

    def on_shutdown(self, hook: Hook) -> None:
        self._shutdown.append(hook)

    def every(self, seconds: float, job: Hook) -> None:
        """Run `job` periodically in the background (sweepers, clean-ups); it is never cut off mid-run."""
        self._loops.append((seconds, job))

    async def start(self) -> None:
        telemetry.configure_logging(self.name, self.settings.log_level)
        telemetry.configure_tracing(
            self.name, self.settings.otel_exporter_otlp_endpoint, self.settings.otel_span_file
        )
        if self.engine is not None:
            await until_reachable("database", self._prepare_schema, self.exiting)
        self._stop = StopSignal()  # a fresh one per start: an app may be started again (tests)
        # Admission before background work: consumed events take at most half the database connections
        # (SQLite's one in turn), so a request never queues behind a whole prefetch of folds or ledger
        # writes. Requests and sweepers are not limited.
        pool_size = self.engine.pool.size() if self.engine is not None else 2
        self._background = asyncio.Semaphore(max(1, pool_size // 2))
        await until_reachable("broker", self._start_bus, self.exiting)
        if self.relay:
            self.relay.start()
        self._tasks = [
            asyncio.create_task(periodically(self._stop, seconds, job)) for seconds, job in self._loops
        ]
        self._tasks.append(asyncio.create_task(metrics.watch_loop_lag(lambda: self._stop.is_set)))
        log.info("%s started", self.name)

    async def _start_bus(self) -> None:
        try:
            await self.bus.start()
        except Exception:
            await self.bus.stop()  # a connection half made (the broker went away mid-declaration)
            raise

    async def _prepare_schema(self) -> None:
        if self.migrations is not None:
            await migrations.upgrade(self.engine, self.migrations)
        else:
            await db.create_schema(self.engine, self.metadata)

    async def stop(self) -> None:
        self._stop.set()
        await finish(self._tasks)
        if self.relay:  # before the bus: its last flush still publishes
            await self.relay.stop()
        await self.bus.stop()
        for hook in self._shutdown:
            await hook()
        if (
            self.read_engine is not None
            and self.read_engine.sync_engine.pool is not self.engine.sync_engine.pool
        ):
            await self.read_engine.dispose()
        if self.engine is not None:
            await self.engine.dispose()

    def consume(
        self,
        queue: str,
        handlers: dict[type[EventData], Handler],
        *,
        domain: str = "*",
        dedupe: bool = True,
        after_commit: Callable[[Envelope], None] | None = None,
        only: Callable[[EventData], bool] | None = None,
        together: bool = False,
        batch_only: bool = False,
    ) -> None:
        """Register this service's handlers on its work queue (see `Handler`). `dedupe` records each event
        id in the inbox so a redelivery changes nothing (I7); a handler that is idempotent by itself (the
        gateway's monotonic fold) may do without. `after_commit` runs once the transaction committed.
        `only` drops events the service does not care about before any transaction (routing keys cannot
        say everything, e.g. whether an operation belongs to a batch). `together` lets the events that
        arrive while a transaction runs share the next one (group_commit.py): for handlers that lock only
        their operation's rows (the gateway's fold), not shared ones such as an account. `batch_only`
        takes only the events of batch operations, routed by header (bus/topology.py)."""

        async def alone(item: tuple[Handler, Envelope]) -> bool:
            return await self._run_in_transaction(*item, dedupe)

        async def with_others(items: list[tuple[Handler, Envelope]]) -> list[bool]:
            # In operation order (each operation's events keep theirs), so that replicas lock the rows
            # of one operation each in the same order and cannot deadlock.
            order = sorted(range(len(items)), key=lambda index: items[index][1].subject)
            handled = [False] * len(items)
            async with self._background, self.transaction() as session:
                for index in order:
                    handled[index] = await self._handle(session, *items[index], dedupe)
            return handled

        shared = GroupCommit(with_others, alone, limit=self.settings.prefetch) if together else None

        async def dispatch(envelope: Envelope) -> None:
            handler = handlers.get(type(envelope.data))
            if handler is None or (only is not None and not only(envelope.data)):
                return
            if self.sessions is None:
                await self._run_stateless(handler, envelope)
                return
            run = shared.run((handler, envelope)) if shared else alone((handler, envelope))
            if await run and after_commit:
                after_commit(envelope)

        self.bus.subscribe(queue, tuple(handlers), dispatch, domain=domain, batch_only=batch_only)

    async def _run_in_transaction(self, handler: Handler, envelope: Envelope, dedupe: bool) -> bool:
        async with self._background, self.transaction() as session:
            return await self._handle(session, handler, envelope, dedupe)

    async def _handle(self, session, handler: Handler, envelope: Envelope, dedupe: bool) -> bool:
        """The event's inbox record, its handler and the events it emits, in the session's transaction;
        False if it was handled before."""
        if dedupe and not await first_delivery(session, self.inbox, envelope.id, envelope.type):
            return False
        await self.emit(session, *await handler(session, envelope.data))
        return True

    async def _run_stateless(self, handler: Handler, envelope: Envelope) -> None:
        for index, data in enumerate(await handler(None, envelope.data)):
            await self.bus.publish_data(data, event_id=derived_id(envelope.id, index))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """The one way to open a transaction: a connection whose work commits on leaving, or rolls back, and
        whose events (`emit`) go to the relay once it committed. A Core connection, not an ORM session:
        nothing here maps objects, and a session's own bookkeeping cost each PostgreSQL transaction about
        a third more CPU (README, Benchmarks, the seventh round)."""
        async with _connected(self.engine, "write") as connection, handing_over(connection, self.relay):
            yield connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction for answering requests: one snapshot, never queued behind writes
        (db.make_read_engine); nothing written through it."""
        async with _connected(self.read_engine, "read") as connection, connection.begin():
            yield connection

    @asynccontextmanager
    async def at_once(self) -> AsyncIterator[AsyncConnection]:
        """A connection for work that is one statement (a lookup, `insert_at_once`): on PostgreSQL each
        statement commits by itself, with no BEGIN and COMMIT round trips (`db.one_statement`). Its wait
        counts as a write's even for a lookup: the label names the pool waited on, the writers'."""
        started = time.perf_counter()
        async with db.one_statement(self.engine) as connection:
            metrics.DATABASE_WAIT_SECONDS.labels("write").observe(time.perf_counter() - started)
            yield connection

    async def insert_at_once(self, rows: list[tuple[Table, dict]], *events: EventData) -> None:
        """Insert `rows` and the outbox rows of `events` in one statement, which commits them together,
        then hand the events to the relay as a committed transaction would. PostgreSQL only: a single round
        trip where a transaction takes one per statement plus BEGIN and COMMIT."""
        published = [outbox_row(self.bus.envelope(data)) for data in events]
        statement, values = writes.inserts_in_one_statement(
            [*rows, *((self.outbox, row) for row in published)]
        )
        async with self.at_once() as connection:
            await connection.execute(statement, values)
        self.relay.hand_over(published)

    async def in_transaction(self, work: Callable[[Any], Awaitable[list[EventData]]]) -> None:
        """Run `work(session)` in one transaction with the events it returns (sweepers, internal calls)."""
        async with self.transaction() as session:
            await self.emit(session, *await work(session))

    async def emit(self, session, *events: EventData) -> None:
        """Write `events` to the outbox in the session's transaction; published as soon as it commits."""
        for data in events:
            stage(session, await add_to_outbox(session, self.outbox, self.bus.envelope(data)))

    async def ready(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await self.bus.ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"unreachable: {exc}"
        if self.engine is not None:
            try:
                await db.ping(self.engine)
                checks["database"] = "ok"
            except Exception as exc:
                checks["database"] = f"unreachable: {exc}"
        for check in self._ready_checks:
            checks.update(check())
        return checks

    def app(self, title: str, routers=()) -> FastAPI:
        """The service's FastAPI application: its routers, /healthz and /readyz, started and stopped with
        this runtime (service_app.py)."""
        return service_app.build(self, title, routers)


@asynccontextmanager
async def _connected(engine: AsyncEngine, purpose: str) -> AsyncIterator[AsyncConnection]:
    """A connection of `engine`, counting the wait for it: a pool (or SQLite's one writer) that is too
    small shows there first."""
    started = time.perf_counter()
    async with engine.connect() as connection:
        metrics.DATABASE_WAIT_SECONDS.labels(purpose).observe(time.perf_counter() - started)
        yield connection
