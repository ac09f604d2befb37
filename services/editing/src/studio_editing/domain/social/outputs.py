"""What rendering gives back: one output per format, and the errors that refuse a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio_common.content_types import extension_for
from studio_common.social_formats import SocialFormat

from .crop import Box
from .focal import FocalPoint

OutputFormat = Literal["jpeg", "png", "webp"]


class SocialRenderError(ValueError):
    """The request cannot be rendered (bad image, bad option or an unreachable size limit)."""


class InvalidImageError(SocialRenderError):
    """The bytes are not a decodable image, or the image is too large to process."""


class SizeLimitError(SocialRenderError):
    """No encoding of the exact output size fits under the limit (only for absurdly small limits)."""


@dataclass(frozen=True, slots=True)
class SocialOutput:
    format: SocialFormat
    data: bytes
    content_type: str
    width: int
    height: int
    quality: int | None  # encoder quality used; None for lossless PNG
    focal: FocalPoint
    crop: Box | None = None  # source region used (smart/center), in pixels of the upright source
    detail_scale: float = 1.0  # < 1 when detail had to be reduced to meet the size limit

    @property
    def extension(self) -> str:
        return extension_for(self.content_type)

    @property
    def filename(self) -> str:
        return f"{self.format.platform}/{self.format.name}.{self.extension}"
