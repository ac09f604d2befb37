"""The published event contract (docs/asyncapi.json) is generated from the code and kept current."""

import importlib.util
import json
from pathlib import Path

from studio_common.events import AnyEventData

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_asyncapi", ROOT / "scripts" / "gen_asyncapi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_document_matches_the_code(monkeypatch):
    for name in ("STUDIO_QUEUE_PREFIX", "STUDIO_EXCHANGE"):
        monkeypatch.delenv(name, raising=False)
    generated = load_generator().render()
    committed = (ROOT / "docs" / "asyncapi.json").read_text()
    assert generated == committed, "docs/asyncapi.json is stale: run scripts/gen_asyncapi.py"


def test_every_event_type_is_documented():
    document = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    text = json.dumps(document["channels"])
    event_types = {arg.model_fields["type"].default for arg in AnyEventData.__origin__.__args__}
    missing = {t for t in event_types if t not in text}
    assert not missing, f"events published by no documented channel: {missing}"
    assert document["asyncapi"] == "3.0.0"
