"""Spans are recorded only where they go somewhere; trace ids travel either way."""

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace

from studio_common import telemetry


def test_without_an_exporter_no_span_is_recorded_but_the_trace_continues():
    telemetry.configure_tracing("quiet")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with telemetry.operation_span("handle", "op-1", parent) as span:
        assert not span.is_recording()
        assert format(span.get_span_context().trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
        assert telemetry.current_traceparent().startswith("00-0af7651916cd43dd8448eb211c80319c-")


def test_with_a_span_file_every_span_is_recorded(tmp_path):
    spans = tmp_path / "spans.jsonl"
    telemetry.configure_tracing("loud", span_file=f"file:{spans}")
    with telemetry.operation_span("handle", "op-2") as span:
        assert span.is_recording()
    (record,) = [json.loads(line) for line in spans.read_text().splitlines()]
    assert record["name"] == "handle" and record["attributes"]["operation.id"] == "op-2"


def test_fastapi_makes_request_spans_only_when_spans_are_exported(tmp_path):
    for exported, span_file in ((False, None), (True, f"file:{tmp_path}/spans.jsonl")):
        telemetry.configure_tracing("http", span_file=span_file)  # as a service's start does
        app = FastAPI(telemetry=telemetry.fastapi_telemetry(None, span_file))

        @app.get("/span")
        async def current_span() -> dict:
            return {"valid": trace.get_current_span().get_span_context().is_valid}

        with TestClient(app) as client:
            assert client.get("/span").json() == {"valid": exported}
