"""Input media for studio operations: an upload or one of the caller's own library assets, checked
before anything decodes it in full, stored under its content hash."""

import asyncio
import io
import re
from dataclasses import dataclass

import numpy as np
from fastapi import HTTPException, UploadFile
from PIL import Image

from studio_common.content_types import AUDIO_TYPES
from studio_common.ids import ID_PATTERN
from studio_common.images import CheckedImage, ImageRejected, check_image
from studio_common.storage import input_key
from studio_providers.local.media import validate_audio
from studio_providers.models.faces import faces_in_image

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


def check_mask(mask: CheckedImage, image: CheckedImage) -> None:
    """Same size as the image, greyscale, and not empty (white = change, black = keep)."""
    if (mask.width, mask.height) != (image.width, image.height):
        raise ImageRejected(
            f"mask is {mask.width}x{mask.height}; it must match the image's {image.width}x{image.height}",
            "mask",
        )
    with Image.open(io.BytesIO(mask.data)) as opened:
        pixels = np.asarray(opened.convert("RGBA" if "A" in opened.mode else "RGB"))
    colour = pixels[..., :3].astype(np.int16)
    if np.abs(colour[..., 0] - colour[..., 1]).max() > 8 or np.abs(colour[..., 1] - colour[..., 2]).max() > 8:
        raise ImageRejected("mask must be greyscale (white = change, black = keep), not colour", "mask")
    if colour.max() < 16:
        raise ImageRejected("mask is empty (all black): nothing would change", "mask")


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
    content_type = AUDIO_TYPES[info.kind]
    key = input_key(user_id, data, content_type)
    await state.storage.put_once(key, data, content_type)
    return StoredInput("audio", key, audio_seconds=info.duration)


async def require_face(item: StoredInput) -> None:
    """A talking avatar animates a face: an image without one is refused before anything is reserved."""
    if (await asyncio.to_thread(faces_in_image, item.image.data)).count == 0:
        raise ImageRejected(
            "image shows no face: a talking avatar needs a portrait with a visible face", "image"
        )
