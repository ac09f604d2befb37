"""Object storage: the same behaviour on S3 (moto's server over HTTP) and on a local directory."""

import asyncio
import time
from urllib.parse import parse_qs, unquote, urlparse

import httpx
import pytest

from studio_common.settings import CommonSettings
from studio_common.storage import (
    LocalStorage,
    StorageKeyError,
    input_key,
    make_storage,
    verify_local_signature,
)


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path, run_id):
    if request.param == "local":
        return make_storage(
            CommonSettings(
                storage_backend="local",
                storage_dir=str(tmp_path),
                public_base_url="http://gateway",
                jwt_secret="k" * 40,
            )
        )
    endpoint = request.getfixturevalue("s3_endpoint")
    return make_storage(
        CommonSettings(
            storage_backend="s3",
            s3_endpoint_url=endpoint,
            s3_bucket=f"b-{run_id}",
            s3_access_key_id="test",
            s3_secret_access_key="test",
        )
    )


async def test_put_get_exists_delete(storage):
    key = "users/u1/operations/op/0.png"
    assert not await storage.exists(key)
    await storage.put(key, b"\x89PNG-bytes", "image/png")
    assert await storage.exists(key)
    assert await storage.get(key) == b"\x89PNG-bytes"
    await storage.delete(key)
    assert not await storage.exists(key)
    with pytest.raises(StorageKeyError):
        await storage.get(key)


async def test_s3_presigned_url_serves_the_bytes(s3_endpoint, run_id):
    storage = make_storage(
        CommonSettings(
            storage_backend="s3",
            s3_endpoint_url=s3_endpoint,
            s3_bucket=f"dl-{run_id}",
            s3_access_key_id="test",
            s3_secret_access_key="test",
        )
    )
    await storage.put("users/u/inputs/x.png", b"image-bytes", "image/png")
    url = storage.signed_url("users/u/inputs/x.png", 60)
    assert "X-Amz-Signature" in url and "X-Amz-Expires=60" in url
    assert httpx.get(url).content == b"image-bytes"


def test_local_signed_urls_expire_and_resist_tampering(tmp_path):
    storage = LocalStorage(str(tmp_path), "http://gateway", "k" * 40)
    url = urlparse(storage.signed_url("users/u/a.png", 30))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    key = unquote(url.path.removeprefix("/api/files/"))
    expires, signature = int(query["expires"]), query["signature"]
    assert verify_local_signature("k" * 40, key, expires, signature)
    assert not verify_local_signature("k" * 40, "users/u/b.png", expires, signature)
    assert not verify_local_signature("other" * 8, key, expires, signature)
    assert not verify_local_signature("k" * 40, key, expires, signature, now=time.time() + 31)


async def test_local_keys_cannot_escape_the_root(tmp_path):
    storage = LocalStorage(str(tmp_path / "root"), "http://gateway", "k" * 40)
    with pytest.raises(StorageKeyError):
        await storage.put("../outside.txt", b"x", "text/plain")


async def test_concurrent_writes_of_one_key_all_succeed_and_leave_one_whole_object(storage):
    key = "users/u1/operations/op/1.png"
    versions = [bytes([n]) * 200_000 for n in range(8)]
    await asyncio.gather(*(storage.put(key, data, "image/png") for data in versions))
    assert await storage.get(key) in versions


async def test_put_once_writes_a_content_addressed_key_exactly_once(storage):
    data = b"\x89PNG" + b"same upload" * 10_000
    key = input_key("u1", data, "image/png")
    wrote = await asyncio.gather(*(storage.put_once(key, data, "image/png") for _ in range(8)))
    assert sorted(wrote) == [False] * 7 + [True]
    assert await storage.get(key) == data
    assert await storage.put_once(key, data, "image/png") is False


async def test_readers_never_see_a_partial_object(storage):
    key = "users/u1/operations/op/2.png"
    versions = [bytes([n]) * 1_000_000 for n in range(1, 5)]
    await storage.put(key, versions[0], "image/png")

    async def read_while_writing() -> list[bytes]:
        return [await storage.get(key) for _ in range(20)]

    writes = asyncio.gather(*(storage.put(key, data, "image/png") for data in versions * 3))
    reads, _ = await asyncio.gather(read_while_writing(), writes)
    assert all(data in versions for data in reads)


async def test_local_writes_leave_no_temporary_files(tmp_path):
    storage = LocalStorage(str(tmp_path), "http://gateway", "k" * 40)
    await asyncio.gather(
        *(storage.put_once("users/u/inputs/a.png", b"a", "image/png") for _ in range(8)),
        *(storage.put("users/u/operations/o/0.png", b"b", "image/png") for _ in range(8)),
    )
    assert sorted(p.name for p in (tmp_path / "users/u").rglob("*") if p.is_file()) == ["0.png", "a.png"]
