"""Input media for studio operations: an upload or one of the caller's own library assets, checked
before anything decodes it in full, stored under its content hash."""

import asyncio
import re
from dataclasses import dataclass

from fastapi import HTTPException, UploadFile

from studio_common.audio_probe import validate_audio
from studio_common.ids import ID_PATTERN
from studio_common.images import CheckedImage, ImageRejected, check_image
from studio_common.storage import input_key

ASSET_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True, slots=True)
class StoredInput:
    role: str
    key: str
    image: CheckedImage | None = None
    asset_id: str | None = None
    audio_seconds: float | None = None


async def read_upload(upload: UploadFile, field: str, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ImageRejected(f"{field} is larger than the {limit} byte limit", field)
    return data


async def image_input(
    state, user_id: str, role: str, upload: UploadFile | None, asset_id: str | None, max_pixels: int
) -> StoredInput | None:
    if upload is not None and asset_id:
        raise ImageRejected(f"give {role} or {role}_asset_id, not both", role)
    if upload is not None:
        data = await read_upload(upload, role, state.settings.max_upload_bytes)
        checked = await asyncio.to_thread(
            check_image, data, role, state.settings.max_upload_bytes, max_pixels
        )
        key = input_key(user_id, data, checked.content_type)
        await state.storage.put_once(key, data, checked.content_type)
        return StoredInput(role, key, checked)
    if asset_id:
        asset = await _own_asset(state, user_id, asset_id, role)
        data = await state.storage.get(asset["storage_key"])
        checked = await asyncio.to_thread(check_image, data, f"{role}_asset_id", 10**9, max_pixels)
        return StoredInput(role, asset["storage_key"], checked, asset_id=asset_id)
    return None


async def _own_asset(state, user_id: str, asset_id: str, role: str) -> dict:
    field = f"{role}_asset_id"
    if not ASSET_ID.fullmatch(asset_id):  # it goes into an internal URL
        raise ImageRejected(f"{field} is not an asset id (letters, digits and _ . @ + -, up to 128)", field)
    try:
        asset = await state.assets.call("GET", f"/internal/assets/{asset_id}", user_id=user_id)
    except HTTPException as exc:
        if exc.status_code == 404:
            raise ImageRejected(
                f"{role}_asset_id {asset_id!r} is not one of your assets", f"{role}_asset_id"
            ) from exc
        raise
    if asset.get("deleted_at") is not None:
        raise ImageRejected(f"{field} {asset_id!r} is in the trash; restore it to use it", field)
    if not str(asset.get("content_type", "")).startswith("image/"):
        raise ImageRejected(f"{role}_asset_id {asset_id!r} is not an image", f"{role}_asset_id")
    return asset


async def audio_input(
    state, user_id: str, upload: UploadFile | None, required: bool, min_seconds: float, max_seconds: float
) -> StoredInput | None:
    if upload is None:
        if required:
            raise ImageRejected("audio is required (WAV or MP3 speech)", "audio")
        return None
    data = await read_upload(upload, "audio", 15 * 1024 * 1024)
    try:
        info = await asyncio.to_thread(validate_audio, data, min_seconds=min_seconds, max_seconds=max_seconds)
    except ValueError as exc:
        raise ImageRejected(str(exc), "audio") from exc
    key = input_key(user_id, data, info.content_type)
    await state.storage.put_once(key, data, info.content_type)
    return StoredInput("audio", key, audio_seconds=info.duration)
