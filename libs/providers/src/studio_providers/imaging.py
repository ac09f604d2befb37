"""Image helpers every worker uses on provider output: exact delivery size and the chosen format."""

import io
import math
from collections.abc import Iterable

from PIL import Image, ImageOps, UnidentifiedImageError

from studio_common.content_types import IMAGE_TYPES

INPUT_FORMATS = ("PNG", "JPEG", "WEBP")
# Above what any operation admits (the gateway checks each operation's own limit before anything runs).
MAX_PIXELS = 100_000_000
# output_format -> (Pillow format, MIME type)
FORMATS = {name: (name.upper(), content_type) for name, content_type in IMAGE_TYPES.items()}


def encode(image: Image.Image, output_format: str, quality: int = 90) -> bytes:
    pil_format, _ = FORMATS[output_format]
    if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": quality} if pil_format in ("JPEG", "WEBP") else {"compress_level": 3}
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def content_type_of(output_format: str) -> str:
    return FORMATS[output_format][1]


def fit_exact(data: bytes, width: int, height: int, output_format: str) -> tuple[bytes, int, int]:
    """Providers answer at their own sizes; cover-resize and centre-crop to exactly width x height."""
    with Image.open(io.BytesIO(data)) as image:
        if (
            image.size == (width, height)
            and (image.format or "").lower() == FORMATS[output_format][0].lower()
        ):
            return data, width, height
        image.load()
        fitted = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
        return encode(fitted, output_format), width, height


def probe_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def open_image(data: bytes | None, role: str = "image") -> Image.Image:
    """Decode an input, upright per its EXIF orientation; a missing or unreadable one names its role."""
    if not data:
        raise ValueError(f"{role} is required")
    try:
        # Only the formats the gateway admits, whatever else Pillow could parse; size before pixels.
        image = Image.open(io.BytesIO(data), formats=INPUT_FORMATS)
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{role} is {image.width}x{image.height}; the limit is {MAX_PIXELS} pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{role} is not a readable image: {exc}") from None
    return ImageOps.exif_transpose(image)


def check_output_format(output_format: str) -> None:
    if output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {', '.join(FORMATS)}; got {output_format!r}")


def nearest_ratio(width: int, height: int, allowed: Iterable[str]) -> str:
    """The allowed "w:h" ratio closest to width:height, compared on a log scale (so 2:1 and 1:2 are
    equally far from 1:1)."""
    target = math.log(width / height)

    def distance(ratio: str) -> float:
        w, h = (int(part) for part in ratio.split(":"))
        return abs(math.log(w / h) - target)

    return min(allowed, key=distance)
