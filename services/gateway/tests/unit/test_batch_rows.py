"""Batch files read row by row (CSV, JSON Lines, a JSON array decoded in pieces), and batch rows validated
by the very function the single-operation endpoints use."""

import asyncio
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from starlette.datastructures import UploadFile

from studio_gateway.domain import batch_files
from studio_gateway.domain.batch_files import BatchFileError, detect_format, iter_rows
from studio_gateway.domain.create_request import CreateBody
from studio_gateway.service_layer import operation_requests
from studio_gateway.service_layer.batch_submission import ZipImages, request_of, validate_row
from studio_gateway.settings import GatewaySettings


def rows_of(data: bytes, filename: str = "") -> list[dict]:
    return list(iter_rows(io.BytesIO(data), detect_format(filename, data[:64])))


def test_csv_rows_by_header_skipping_blank_lines():
    data = '\ufeffkind,name,prompt\ncreate,a,"a fox, running"\n\ncreate,b,owl\n'.encode()
    assert rows_of(data, "rows.csv") == [
        {"kind": "create", "name": "a", "prompt": "a fox, running"},
        {"kind": "create", "name": "b", "prompt": "owl"},
    ]


def test_a_csv_row_with_too_many_cells_is_an_error_of_that_row():
    [row] = rows_of(b"kind,prompt\ncreate,a,extra\n", "x.csv")
    assert "3 cells" in row["__error__"]


def test_jsonl_and_json_array_give_the_same_rows():
    rows = [{"kind": "create", "prompt": f"p{i}", "num_variations": 1} for i in range(50)]
    jsonl = "\n".join(json.dumps(r) for r in rows).encode()
    array = json.dumps(rows, indent=2).encode()
    assert rows_of(jsonl, "rows.jsonl") == rows == rows_of(array, "rows.json")


def test_a_json_array_is_decoded_in_pieces(monkeypatch):
    monkeypatch.setattr(batch_files, "CHUNK_CHARS", 7)  # every row spans several reads
    rows = [{"kind": "create", "prompt": "x" * 30, "n": i} for i in range(20)]
    assert rows_of(json.dumps(rows).encode()) == rows


def test_broken_files_name_the_problem():
    with pytest.raises(BatchFileError, match="not closed"):
        rows_of(b'[{"kind": "create"}, ')
    with pytest.raises(BatchFileError, match="no header"):
        rows_of(b"\n", "x.csv")
    [row] = rows_of(b'{"kind": "create"\n', "x.jsonl")
    assert "not valid JSON" in row["__error__"]


@pytest.fixture
def state():
    return SimpleNamespace(settings=GatewaySettings(enabled_providers="local"))


def validate(state, raw: dict, defaults: dict | None = None) -> dict:
    return asyncio.run(validate_row(state, "ann", 3, raw, defaults or {}, ZipImages(None, 1000)))


def test_a_create_row_is_the_request_the_create_endpoint_would_submit(state):
    raw = {
        "kind": "create",
        "name": "poster",
        "prompt": "a lighthouse",
        "template_id": "instagram-feed-square",
        "num_variations": "2",
    }
    row = validate(state, raw)
    body = CreateBody(prompt="a lighthouse", template_id="instagram-feed-square", num_variations=2)
    single, _ = asyncio.run(operation_requests.build_create(state, "ann", body))
    assert row["request"] == request_of(single) and row["name"] == "poster"


def test_row_errors_name_the_field(state):
    assert (
        validate(state, {"kind": "create", "prompt": "x", "width": "10", "height": "64"})["errors"][0][
            "field"
        ]
        == "width"
    )
    assert (
        validate(state, {"kind": "create", "prompt": "x", "colour": "red"})["errors"][0]["field"] == "colour"
    )
    assert validate(state, {"kind": "teleport"})["errors"][0]["field"] == "kind"
    assert validate(state, {"prompt": "x"})["errors"][0]["message"].startswith("kind is required")


def test_defaults_fill_what_a_row_leaves_empty(state):
    row = validate(state, {"kind": "create", "prompt": "x", "width": ""}, {"width": 128, "height": 128})
    assert (row["request"]["params"]["width"], row["request"]["params"]["height"]) == (128, 128)


def test_images_come_from_the_zip_and_urls_are_never_fetched(state):
    row = validate(state, {"kind": "upscale", "image": "https://example.com/cat.png"})
    assert row["errors"][0]["field"] == "image" and "URLs are not fetched" in row["errors"][0]["message"]


def test_a_broken_zip_member_is_an_error_of_its_row(state):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("photo.png", b"x" * 5000)
    data = bytearray(buffer.getvalue())
    start = data.index(b"photo.png") + len("photo.png")
    data[start + 10 : start + 20] = b"\x00" * 10  # corrupt the compressed bytes
    images = ZipImages(UploadFile(io.BytesIO(bytes(data)), filename="images.zip"), 10_000)
    row = asyncio.run(validate_row(state, "ann", 1, {"kind": "upscale", "image": "photo.png"}, {}, images))
    assert row["errors"][0]["field"] == "image" and "cannot be read" in row["errors"][0]["message"]
