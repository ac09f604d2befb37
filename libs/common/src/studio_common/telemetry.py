"""Traces and logs: one trace per operation across services, JSON logs carrying the operation id.

The trace context travels in the event envelope (`traceparent`), so it survives the outbox: an event
published seconds later by a relay still continues the request's trace.
"""

import json
import logging
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

operation_id_var: ContextVar[str | None] = ContextVar("operation_id", default=None)
_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("studio")


class JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", None) or _service_name,
        }
        if operation_id := operation_id_var.get():
            entry["operation_id"] = operation_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


_service_name = "studio"


def configure_logging(service: str, level: str = "INFO") -> None:
    global _service_name
    _service_name = service
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pyvips logs a line per libvips threadpool at INFO: editing's log would be nothing else.
    for noisy in ("aiormq", "aio_pika", "uvicorn.access", "botocore", "httpx", "pyvips"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object per line (used to follow traces in tests)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def export(self, spans) -> SpanExportResult:
        lines = [json.dumps(_span_record(span)) for span in spans]
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        return SpanExportResult.SUCCESS


def _span_record(span) -> dict:
    parent = span.parent
    return {
        "name": span.name,
        "service": span.resource.attributes.get("service.name"),
        "trace_id": format(span.context.trace_id, "032x"),
        "span_id": format(span.context.span_id, "016x"),
        "parent_id": format(parent.span_id, "016x") if parent else None,
        "attributes": {k: v for k, v in span.attributes.items() if isinstance(v, str | int | float | bool)},
    }


def exports_spans(otlp_endpoint: str | None, span_file: str | None) -> bool:
    return bool(span_file or otlp_endpoint)


def fastapi_telemetry(otlp_endpoint: str | None, span_file: str | None) -> dict:
    """FastAPI's own request spans only when spans go somewhere: otherwise each request would build
    attributes and a span the sampler drops. Its metrics and logs go to OpenTelemetry providers this
    project does not set up (its metrics are Prometheus', its logs JSON lines)."""
    return {"tracing": exports_spans(otlp_endpoint, span_file), "metrics": False, "logs": False}


def configure_tracing(service: str, otlp_endpoint: str | None = None, span_file: str | None = None) -> None:
    # With nowhere to send spans, none is recorded: ids are still made and propagated (log lines keep their
    # trace id, a downstream service that exports still continues the trace), but no span is built, timed
    # and dropped for every event handled. With an exporter, the SDK's sampler (OTEL_TRACES_SAMPLER) rules.
    exporting = exports_spans(otlp_endpoint, span_file)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), **({} if exporting else {"sampler": ALWAYS_OFF})
    )
    if span_file:
        provider.add_span_processor(
            SimpleSpanProcessor(JsonLinesSpanExporter(span_file.removeprefix("file:")))
        )
    if otlp_endpoint:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:  # the exporter is an optional extra
            logging.getLogger(__name__).warning("OTLP exporter not installed; traces stay local")
        else:
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)
    global _tracer
    _tracer = provider.get_tracer("studio")


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def operation_span(name: str, operation_id: str, traceparent: str | None = None, **attributes):
    """A span continuing the operation's trace, with the operation id on every log line inside it."""
    parent = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    token = otel_context.attach(parent) if parent is not None else None
    op_token = operation_id_var.set(operation_id)
    try:
        with _tracer.start_as_current_span(
            name, attributes={"operation.id": operation_id, **attributes}
        ) as span:
            yield span
    finally:
        operation_id_var.reset(op_token)
        if token is not None:
            otel_context.detach(token)


def consumer_span(envelope, service: str):
    return operation_span(
        f"{service} handle {envelope.type}",
        envelope.subject,
        envelope.traceparent,
        **{"messaging.system": "rabbitmq", "messaging.message.id": envelope.id},
    )
