"""Reading a batch file row by row without holding it in memory: CSV (a header row, then one row per
operation), JSON Lines (one object per line) or a JSON array of objects. Rows are numbered from 1 in
the order they appear; each comes out as a dict of its fields."""

import csv
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

MAX_ROW_CHARS = 1_000_000
CHUNK_CHARS = 64 * 1024


class BatchFileError(ValueError):
    """A file that cannot be read as rows at all; `row` is where reading stopped (0: before any row)."""

    field = "file"  # the request field the 4xx answer names

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.row = row


def detect_format(filename: str, head: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"[":
        return "json"
    if start == b"{":
        return "jsonl"
    return "csv"


def iter_rows(raw: BinaryIO, file_format: str) -> Iterator[dict]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        yield from {"csv": _csv_rows, "jsonl": _jsonl_rows, "json": _json_array_rows}[file_format](text)
    except UnicodeDecodeError as exc:
        raise BatchFileError("file: the file is not UTF-8 text") from exc
    finally:
        text.detach()


def _csv_rows(text: io.TextIOBase) -> Iterator[dict]:
    reader = csv.reader(text)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise BatchFileError("file: the CSV has no header row (e.g. kind,name,prompt)")
    columns = [h.strip() for h in header]
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        if len(cells) > len(columns):
            yield {"__error__": f"row has {len(cells)} cells but the header names {len(columns)} columns"}
            continue
        yield dict(zip(columns, cells, strict=False))


def _jsonl_rows(text: io.TextIOBase) -> Iterator[dict]:
    for line in text:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"__error__": f"not valid JSON: {exc.msg}"}
            continue
        yield value if isinstance(value, dict) else {"__error__": "each line must be a JSON object"}


def _json_array_rows(text: io.TextIOBase) -> Iterator[dict]:
    """A JSON array decoded one element at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    buffer, position, started, at_end = "", 0, False, False
    rows = 0
    while True:
        if not at_end and len(buffer) - position < CHUNK_CHARS:
            chunk = text.read(CHUNK_CHARS)
            at_end = not chunk
            buffer = buffer[position:] + chunk
            position = 0
        while position < len(buffer) and buffer[position] in " \t\r\n,":
            position += 1
        if position >= len(buffer):
            if at_end:
                raise BatchFileError("file: the JSON array is not closed with ]", rows)
            continue
        if not started:
            if buffer[position] != "[":
                raise BatchFileError("file: expected a JSON array of row objects")
            started, position = True, position + 1
            continue
        if buffer[position] == "]":
            return
        try:
            value, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError as exc:
            if at_end or len(buffer) - position > MAX_ROW_CHARS:
                raise BatchFileError(f"file: row {rows + 1} is not valid JSON ({exc.msg})", rows + 1) from exc
            chunk = text.read(CHUNK_CHARS)
            at_end = not chunk
            buffer = buffer[position:] + chunk
            position = 0
            continue
        position = end
        rows += 1
        yield value if isinstance(value, dict) else {"__error__": "each element must be a JSON object"}
