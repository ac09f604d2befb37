"""Checks on untrusted image bytes, made before anything decodes them in full."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageChops

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The largest image an operation makes, as for Create and upscale: 4096 px a side (so 16 MP at most).
MAX_OUTPUT_SIDE = 4096


class ImageRejected(ValueError):
    """Bad input; `field` names the request field for the 4xx answer."""

    def __init__(self, message: str, field: str = "image") -> None:
        super().__init__(message)
        self.field = field


class ImageTooLarge(ImageRejected):
    """More bytes than the limit allows: the request entity is too large (413), not malformed."""


def check_output_size(width: int, height: int, what: str) -> None:
    """ValueError naming the limit when a width x height output is larger than any operation makes."""
    if max(width, height) > MAX_OUTPUT_SIDE:
        raise ValueError(
            f"{what} would be {width}x{height} pixels; the output limit is {MAX_OUTPUT_SIDE} pixels a side"
        )


@dataclass(frozen=True, slots=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    mode: str


def sniff_content_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(
    data: bytes, field: str = "image", max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS
) -> CheckedImage:
    """Size limit, real type from the bytes (PNG, JPEG, WebP; never SVG), pixel limit, then a full decode."""
    if not data:
        raise ImageRejected(f"{field} is empty", field)
    if len(data) > max_bytes:
        raise ImageTooLarge(f"{field} is {len(data)} bytes; the limit is {max_bytes}", field)
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ImageRejected(f"{field} is not a PNG, JPEG or WebP image", field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height, mode = image.width, image.height, image.mode
                if width * height > max_pixels:
                    raise ImageRejected(
                        f"{field} is {width}x{height} ({width * height} pixels); the limit is {max_pixels}",
                        field,
                    )
                image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"{field} has too many pixels: {exc}", field) from exc
    except Exception as exc:  # Pillow raises many types for corrupt data
        raise ImageRejected(f"{field} could not be decoded: {exc}", field) from exc
    return CheckedImage(data, content_type, width, height, mode)


def check_mask(mask: CheckedImage, image: CheckedImage) -> None:
    """Same size as the image, greyscale, and not empty (white = change, black = keep)."""
    if (mask.width, mask.height) != (image.width, image.height):
        raise ImageRejected(
            f"mask is {mask.width}x{mask.height}; it must match the image's {image.width}x{image.height}",
            "mask",
        )
    with Image.open(io.BytesIO(mask.data)) as opened:
        red, green, blue = opened.convert("RGB").split()
    tinted = max(
        ImageChops.difference(red, green).getextrema()[1], ImageChops.difference(green, blue).getextrema()[1]
    )
    if tinted > 8:
        raise ImageRejected("mask must be greyscale (white = change, black = keep), not colour", "mask")
    if max(band.getextrema()[1] for band in (red, green, blue)) < 16:
        raise ImageRejected("mask is empty (all black): nothing would change", "mask")
