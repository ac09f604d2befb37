"""A batch's results, streamed: results.csv (one line per row) and results.zip (every output, named by
row number and the row's name, plus the CSV). Rows are read from the batch service a page at a time,
so neither file is ever held whole in memory."""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import PurePosixPath

from studio_common.storage import StorageKeyError

PAGE = 500
CSV_FIELDS = ("row", "name", "kind", "status", "operation_id", "asset_ids", "credits", "error")


async def rows_of(batch_service, user_id: str, batch_id: str) -> AsyncIterator[dict]:
    page = 1
    while True:
        found = await batch_service.call(
            "GET",
            f"/internal/batches/{batch_id}/rows",
            user_id=user_id,
            params={"page": page, "page_size": PAGE},
        )
        for row in found["items"]:
            yield row
        if page * PAGE >= found["total"]:
            return
        page += 1


def csv_line(row: dict | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if row is None:
        writer.writerow(CSV_FIELDS)
    else:
        error = row["error"] or "; ".join(e["message"] for e in row["errors"])
        writer.writerow(
            [
                row["row"],
                row["name"],
                row["kind"],
                row["status"],
                row["operation_id"] or "",
                " ".join(row["asset_ids"]),
                row["credits"],
                error or "",
            ]
        )
    return out.getvalue()


async def results_csv(batch_service, user_id: str, batch_id: str) -> AsyncIterator[bytes]:
    yield csv_line(None).encode()
    async for row in rows_of(batch_service, user_id, batch_id):
        yield csv_line(row).encode()


def member_name(row: dict, output: dict) -> str:
    """`00007-spring-banner-0.png`: row number first (sorted like the file), then the row's name."""
    stem = re.sub(r"[^a-z0-9]+", "-", (row["name"] or row["kind"] or "").lower()).strip("-")[:60]
    suffix = PurePosixPath(output["storage_key"]).suffix
    return f"{row['row']:05d}{'-' + stem if stem else ''}-{output['index']}{suffix}"


class _Sink(io.RawIOBase):
    """Where zipfile writes; what it wrote is taken out after each member (zipfile sees an unseekable
    stream and writes data descriptors, so nothing needs to be rewritten later)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


async def results_zip(batch_service, storage, user_id: str, batch_id: str) -> AsyncIterator[bytes]:
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED)
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024, mode="w+", newline="") as listing:
        listing.write(csv_line(None))
        async for row in rows_of(batch_service, user_id, batch_id):
            listing.write(csv_line(row))
            for output in row["outputs"] if row["status"] in ("succeeded", "canceled") else []:
                try:
                    data = await storage.get(output["storage_key"])
                except StorageKeyError:
                    continue  # listed in results.csv; a file gone from storage is not invented
                archive.writestr(member_name(row, output), data)
                yield sink.take()
        listing.seek(0)
        archive.writestr("results.csv", listing.read(), compress_type=zipfile.ZIP_DEFLATED)
    archive.close()
    yield sink.take()
