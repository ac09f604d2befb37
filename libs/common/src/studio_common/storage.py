"""Object storage behind one interface: a local directory (embedded default) or any S3 endpoint.

Keys: users/{user_id}/inputs/{sha256}.{ext} and users/{user_id}/operations/{operation_id}/{index}.{ext}.
Downloads are short-lived signed URLs: S3 presigned URLs, or HMAC-signed gateway URLs for local files.

Writes are atomic per writer: a reader sees the old object or the whole new one, never a partial file, and
concurrent writers of one key never share a temporary file. Content-addressed keys (inputs) are written
with `put_once`: the first writer wins and every later writer of the same key succeeds without writing.
"""

import asyncio
import hashlib
import hmac
import os
import time
import uuid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from studio_common.content_types import extension_for
from studio_common.settings import CommonSettings


def user_folder(user_id: str) -> str:
    """A user's folder; the id is percent-encoded so that no id can name a path outside it."""
    return f"users/{quote(user_id, safe='@+')}"


def input_key(user_id: str, data: bytes, content_type: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{user_folder(user_id)}/inputs/{digest}.{extension_for(content_type)}"


def output_key(user_id: str, operation_id: str, index: int, content_type: str) -> str:
    extension = extension_for(content_type)
    return f"{user_folder(user_id)}/operations/{quote(operation_id, safe='')}/{index}.{extension}"


class ObjectStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def put_once(self, key: str, data: bytes, content_type: str) -> bool: ...
    async def get(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...
    async def delete(self, key: str) -> None: ...
    def signed_url(self, key: str, ttl_seconds: int) -> str: ...


class StorageKeyError(KeyError):
    pass


def _sign(secret: str, key: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()


def verify_local_signature(
    secret: str, key: str, expires: int, signature: str, now: float | None = None
) -> bool:
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(_sign(secret, key, expires), signature)


class LocalStorage:
    def __init__(self, root: str, public_base_url: str, secret: str) -> None:
        self.root = Path(root).resolve()
        self.public_base_url = public_base_url.rstrip("/")
        self.secret = secret

    def _path(self, key: str) -> Path:
        # normpath, not resolve(): no filesystem calls on a hot path; keys with `..` still cannot escape.
        path = Path(os.path.normpath(self.root / key))
        if not path.is_relative_to(self.root):
            raise StorageKeyError(key)
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data, False)

    async def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        """Write unless the key exists; True if this call wrote it."""
        return await asyncio.to_thread(self._write, self._path(key), data, True)

    @staticmethod
    def _write(path: Path, data: bytes, only_if_absent: bool) -> bool:
        if only_if_absent and path.is_file():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # One temporary file per write (not per key or process): concurrent writers never share one.
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(data)
            if not only_if_absent:
                tmp.replace(path)
                return True
            try:
                os.link(tmp, path)  # atomic create-if-absent: fails instead of overwriting
            except FileExistsError:
                return False
            return True
        finally:
            tmp.unlink(missing_ok=True)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise StorageKeyError(key) from exc

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def signed_url(self, key: str, ttl_seconds: int) -> str:
        expires = int(time.time()) + ttl_seconds
        signature = _sign(self.secret, key, expires)
        return f"{self.public_base_url}/api/files/{quote(key)}?expires={expires}&signature={signature}"


class S3Storage:
    def __init__(self, settings: CommonSettings) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = settings.s3_bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5, "mode": "standard"},
                max_pool_connections=32,
            ),
        )

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
        )

    async def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        """A conditional put (If-None-Match: *): a key another writer already stored counts as done."""
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(
                self.client.put_object,
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if _status(exc) in (409, 412):  # 412: the key exists; 409: a concurrent conditional put won
                return False
            raise
        return True

    async def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            raise StorageKeyError(key) from exc
        return await asyncio.to_thread(response["Body"].read)

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)

    def signed_url(self, key: str, ttl_seconds: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=ttl_seconds
        )


def _status(exc) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def make_storage(settings: CommonSettings) -> ObjectStorage:
    if settings.storage_backend == "s3":
        storage = S3Storage(settings)
        storage.ensure_bucket()
        return storage
    if settings.storage_backend == "local":
        return LocalStorage(settings.storage_dir, settings.public_base_url, settings.download_url_secret)
    raise ValueError(f"unknown storage backend {settings.storage_backend!r} (local or s3)")
