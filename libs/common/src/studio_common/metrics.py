"""Prometheus metrics shared by every service (each service adds its own domain counters)."""

import asyncio
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from prometheus_client import Counter, Histogram, start_http_server

EVENTS_PUBLISHED = Counter("studio_events_published_total", "Events published", ["service", "type"])
EVENTS_HANDLED = Counter("studio_events_handled_total", "Events handled", ["queue", "type", "outcome"])
HANDLER_SECONDS = Histogram(
    "studio_handler_seconds",
    "Time to handle one event",
    ["queue", "type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUEUE_LAG_SECONDS = Histogram(
    "studio_queue_lag_seconds",
    "Time from an event's creation to its handling",
    ["queue", "type"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
OPERATIONS = Counter("studio_operations_total", "Operations by kind and status", ["kind", "status"])
PROVIDER_SECONDS = Histogram(
    "studio_provider_seconds",
    "Provider call latency",
    ["provider", "kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
PROVIDER_ERRORS = Counter("studio_provider_errors_total", "Provider errors", ["provider", "kind", "code"])
RETRIES = Counter(
    "studio_event_retries_total", "Transient failures sent through a delay queue", ["queue", "type"]
)
DEAD_LETTERED = Counter(
    "studio_events_dead_lettered_total", "Events rejected into a dead-letter queue", ["queue", "type"]
)
LOOP_LAG_SECONDS = Histogram(
    "studio_event_loop_lag_seconds",
    "How late the event loop runs a callback that was due: work queued behind other work in the process",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
DATABASE_WAIT_SECONDS = Histogram(
    "studio_database_wait_seconds",
    "How long a transaction waited for a pooled connection (on SQLite: for the one writer connection)"
    " before its first statement, by the pool waited on (write, read)",
    ["purpose"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
T = TypeVar("T")
MODEL_CPU_SECONDS = Counter(
    "studio_model_cpu_seconds_total",
    "CPU spent on pixels and models (rendering, tagging, embedding) off the event loop",
    ["work"],
)
CREDITS = Counter("studio_credits_total", "Credits reserved, posted and released", ["movement"])


@contextmanager
def observe_handler(queue: str, event_type: str, published_at: datetime):
    QUEUE_LAG_SECONDS.labels(queue, event_type).observe(
        max(0.0, (datetime.now(UTC) - published_at).total_seconds())
    )
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        EVENTS_HANDLED.labels(queue, event_type, outcome).inc()
        HANDLER_SECONDS.labels(queue, event_type).observe(time.perf_counter() - started)


async def model_work(work: str, function: Callable[..., T], *args) -> T:
    """Run CPU-bound image or model work in a thread, counting the CPU it used, so that what orchestration
    costs can be told apart from what the pictures and models themselves cost (scripts/bench_pipeline.py)."""

    def measured() -> T:
        started = time.thread_time()
        try:
            return function(*args)
        finally:
            MODEL_CPU_SECONDS.labels(work).inc(time.thread_time() - started)

    return await asyncio.to_thread(measured)


async def watch_loop_lag(stopped: Callable[[], bool], every: float = 0.1) -> None:
    """Sample the event loop's lag until `stopped()`: a congested loop delays every request and handler."""
    while not stopped():
        due = time.perf_counter() + every
        await asyncio.sleep(every)
        LOOP_LAG_SECONDS.observe(max(0.0, time.perf_counter() - due))


def serve_metrics(host: str, port: int) -> None:
    """/metrics on a port of its own (a background thread), so monitoring reaches it without reaching the
    service's API, and the public gateway never shows it."""
    start_http_server(port, addr=host)
