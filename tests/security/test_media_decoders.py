"""Finding 1's review of the other decoders that see user input: Pillow in the workers and libvips in the
social optimizer parse only PNG, JPEG and WebP, and judge the size before decoding pixels."""

import io
import struct
import zlib

import pytest
from PIL import Image

from studio_editing.domain.social import decode, outputs
from studio_providers.imaging import open_image

SVG = b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"


def encoded(fmt: str, size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [encoded("GIF"), encoded("TIFF"), encoded("BMP"), SVG])
def test_workers_decode_only_the_admitted_formats(data):
    with pytest.raises(ValueError, match="not a readable image"):
        open_image(data)
    with pytest.raises(outputs.InvalidImageError):
        decode._load(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_admitted_formats_still_decode(fmt):
    assert open_image(encoded(fmt)).size == (16, 16)
    assert decode._load(encoded(fmt)).width == 16


@pytest.mark.parametrize("side", [12_000, 20_000])  # past the workers' limit; past Pillow's bomb guard
def test_a_worker_refuses_an_oversized_image_before_decoding_it(side):
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ValueError, match="limit is|exceeds limit"):
        open_image(bomb)
