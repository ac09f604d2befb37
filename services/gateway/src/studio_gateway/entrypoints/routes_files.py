"""Downloads for the local storage backend: the URL's HMAC signature and expiry are the authorisation."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from studio_common.content_types import content_type_of_key
from studio_common.storage import LocalStorage, StorageKeyError, verify_local_signature

router = APIRouter(prefix="/api/files", tags=["files"], include_in_schema=False)


@router.get("/{key:path}")
async def download(key: str, expires: int, signature: str, request: Request) -> Response:
    storage = request.app.state.storage
    if not isinstance(storage, LocalStorage):
        raise HTTPException(404, "not found")
    if not verify_local_signature(storage.secret, key, expires, signature):
        raise HTTPException(403, "the download link is invalid or has expired")
    try:
        data = await storage.get(key)
    except StorageKeyError as exc:
        raise HTTPException(404, "not found") from exc
    return Response(
        data, media_type=content_type_of_key(key), headers={"Cache-Control": "private, max-age=60"}
    )
