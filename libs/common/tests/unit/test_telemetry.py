"""Spans are recorded only where they go somewhere; trace ids travel either way."""

import json

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
