"""A ZIP of library assets, written to a spooled temporary file (memory up to a point, then disk) and
streamed back in chunks, with a manifest.csv that says what each file is."""

import asyncio
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import PurePosixPath

from studio_common.storage import ObjectStorage, StorageKeyError


class MissingFile(LookupError):
    """An indexed asset whose file is gone from storage: the library and storage disagree."""


IN_MEMORY_BYTES = 32 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
MANIFEST_FIELDS = (
    "file",
    "asset_id",
    "title",
    "type",
    "module",
    "operation",
    "operation_id",
    "provider",
    "model",
    "width",
    "height",
    "bytes",
    "cost_credits",
    "prompt",
    "tags",
    "created_at",
)


def member_name(position: int, asset: dict) -> str:
    """`001-a-lighthouse-at-dawn.png`: ordered like the request, readable, never colliding."""
    stem = re.sub(r"[^a-z0-9]+", "-", (asset.get("title") or "").lower()).strip("-")[:60] or asset["id"]
    return f"{position:03d}-{stem}{PurePosixPath(asset['storage_key']).suffix}"


# Control characters (NUL, line breaks inside a cell) and the bidirectional overrides and isolates that
# make text display in another order than it is stored.
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A cell starting with one of these is a formula to spreadsheet programs (fullwidth forms included).
FORMULA_STARTS = tuple("=+-@\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: object) -> object:
    """Text as a spreadsheet shows it, never run: unsafe characters dropped, a leading formula sign escaped
    with an apostrophe (the convention spreadsheet programs read as "this is text")."""
    if not isinstance(value, str):
        return value
    text = UNSAFE_CHARACTERS.sub(" ", value).strip()
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def manifest(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({field: safe_cell(row.get(field)) for field in MANIFEST_FIELDS} for row in rows)
    return out.getvalue().encode()


async def build(storage: ObjectStorage, assets: list[dict]) -> tempfile.SpooledTemporaryFile:
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 (returned to the caller)
    # Images and videos are compressed already: stored as they are, only the manifest is deflated.
    archive = zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED)
    rows = []
    try:
        for position, asset in enumerate(assets, start=1):
            name = member_name(position, asset)
            try:
                data = await storage.get(asset["storage_key"])
            except StorageKeyError as exc:
                raise MissingFile(f"the file of asset {asset['id']} is missing from storage") from exc
            await asyncio.to_thread(archive.writestr, name, data)
            rows.append(
                {**asset, "asset_id": asset["id"], "file": name, "tags": "; ".join(asset.get("tags") or [])}
            )
        archive.writestr("manifest.csv", manifest(rows), compress_type=zipfile.ZIP_DEFLATED)
        archive.close()
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def stream(spool: tempfile.SpooledTemporaryFile) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(spool.read, CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()
