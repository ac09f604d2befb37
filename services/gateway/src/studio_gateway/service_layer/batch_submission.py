"""Submitting a batch: every row validated by the same function as its single-operation endpoint
(operation_requests), inputs stored, and the rows handed to the batch service in chunks so that a
10,000-row file never sits in memory at once."""

import asyncio
import io
import zipfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from studio_common.contracts.batches import NewBatch, Rows
from studio_common.events import OperationRequested
from studio_common.images import ImageRejected
from studio_gateway.domain.create_request import CreateBody, RequestError, validated
from studio_gateway.service_layer import operation_requests
from studio_gateway.service_layer.studio import Submission

CHUNK_ROWS = 500
FILE_COLUMNS = ("image", "mask", "style_image", "background_reference", "light_reference", "audio")
REQUEST_FIELDS = ("domain", "kind", "provider", "model", "units", "params", "inputs", "source_asset_id")


class BatchTooLarge(Exception):
    field, code = "rows", "batch_too_large"


class ZipImages:
    """The `images` ZIP of a submission: rows name its files in their `image` (or `mask`, ...) column.
    Members are read one at a time, each within the upload size limit."""

    def __init__(self, upload: UploadFile | None, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.archive = None
        if upload is not None:
            try:
                self.archive = zipfile.ZipFile(upload.file)
            except zipfile.BadZipFile as exc:
                raise RequestError("images", "images must be a ZIP file") from exc
            self.names = {info.filename: info for info in self.archive.infolist() if not info.is_dir()}

    def upload(self, column: str, name: str) -> UploadFile:
        info = self.names.get(name) if self.archive else None
        if info is None:
            where = "the images ZIP" if self.archive else "an images ZIP (none was uploaded)"
            hint = "; URLs are not fetched" if "://" in name else ""
            raise RequestError(column, f"{column}: {name!r} is not a file in {where}{hint}")
        if info.file_size > self.max_bytes:
            raise ImageRejected(f"{column}: {name!r} is larger than the {self.max_bytes} byte limit", column)
        try:  # reads at most the declared size; a member that lies about it fails its CRC check
            data = self.archive.read(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
            raise RequestError(
                column, f"{column}: {name!r} cannot be read from the images ZIP ({exc})"
            ) from exc
        return UploadFile(io.BytesIO(data), filename=name)


@dataclass
class Submitted:
    batch_id: str
    rows: int = 0
    errors: list[dict] = field(default_factory=list)


def request_of(event: OperationRequested) -> dict:
    return event.model_dump(mode="json", include=set(REQUEST_FIELDS))


async def validate_row(
    state, user_id: str, number: int, raw: dict, defaults: dict, images: ZipImages
) -> dict:
    """One row as the batch service stores it: the request to run, or the first problem, by field."""
    values = {**defaults, **{k: v for k, v in raw.items() if v not in ("", None)}}
    name, kind = str(values.pop("name", "") or "")[:200], str(values.pop("kind", "") or "").strip()
    row = {"row_number": number, "name": name, "kind": kind[:64]}
    try:
        if "__error__" in values:
            raise RequestError("row", values["__error__"])
        event = await build_row(state, user_id, kind, values, images)
    except (RequestError, ImageRejected) as exc:
        return {**row, "errors": [{"field": exc.field or "row", "message": str(exc)}]}
    except HTTPException as exc:
        if exc.status_code >= 500:
            raise
        return {**row, "errors": [{"field": "row", "message": str(exc.detail)}]}
    return {**row, "request": request_of(event)}


async def build_row(state, user_id: str, kind: str, values: dict, images: ZipImages) -> OperationRequested:
    if kind == "create":
        event, _ = await operation_requests.build_create(state, user_id, validated(CreateBody, values))
        return event
    if kind not in operation_requests.STUDIO_KINDS:
        known = ", ".join(["create", *operation_requests.STUDIO_KINDS])
        raise RequestError(
            "kind",
            f"kind: {kind!r} is not an operation; one of {known}"
            if kind
            else f"kind is required: one of {known}",
        )
    spec, prepare = operation_requests.STUDIO_KINDS[kind]
    files = {
        column: images.upload(column, str(values.pop(column))) for column in FILE_COLUMNS if column in values
    }
    event, _ = await operation_requests.build_studio(state, user_id, spec, Submission(values, files), prepare)
    return event


async def submit(
    state,
    user_id: str,
    header: NewBatch,
    rows: Iterable[dict] | AsyncIterator[dict],
    defaults: dict,
    images: ZipImages,
) -> dict:
    """Create the draft, stream the validated rows to it, seal it; the batch with its preview and errors."""
    batch = state.batch
    created = await batch.create(user_id, header)
    submitted = Submitted(created["id"])
    sending: asyncio.Task | None = None  # one chunk stored by the batch service while the next is validated

    async def send(chunk: list[dict]) -> None:
        nonlocal sending
        if sending is not None:
            await sending
        sending = asyncio.create_task(
            batch.add_rows(user_id, submitted.batch_id, Rows.model_validate({"rows": chunk}))
        )

    try:
        chunk: list[dict] = []
        async for raw in _aiter(rows):
            submitted.rows += 1
            if submitted.rows > state.settings.batch_max_rows:
                raise BatchTooLarge(
                    f"batch_too_large: a batch holds at most {state.settings.batch_max_rows} rows"
                )
            row = await validate_row(state, user_id, submitted.rows, raw, defaults, images)
            if "errors" in row:
                submitted.errors += [{"row": submitted.rows, **e} for e in row["errors"]]
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                await send(chunk)
                chunk = []
        if not submitted.rows:
            raise RequestError("rows", "rows: the batch has no rows")
        if chunk:
            await send(chunk)
        await sending
        view = await batch.seal(user_id, submitted.batch_id)
    except BaseException:
        if sending is not None and not sending.done():
            sending.cancel()
        await batch.discard(user_id, submitted.batch_id)
        raise
    extras = {k: v for k, v in created.items() if k != "id"}
    return {**view, **extras, "errors": submitted.errors}


async def _aiter(rows):
    if hasattr(rows, "__aiter__"):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row
