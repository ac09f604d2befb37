"""Social platforms, their image formats, safe zones and upload limits.

Every format has an exact pixel size, a safe zone (the fractions of the height/width at the top,
bottom, left and right that the platform's interface may cover) and the upload constraints of its
platform: the accepted file types and the file-size limit in bytes. Sizes in megabytes are decimal
(1 MB = 1,000,000 bytes), which is the stricter reading of every platform's published limit. Platform ids,
names and aliases come from the one platform catalogue (`studio_common.platforms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from studio_common.platforms import canonical_platform, platform_name

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class SafeZone:
    """Unsafe margins as fractions: top/bottom of the height, left/right of the width."""

    top: float
    bottom: float
    left: float
    right: float

    def rect(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The safe rectangle ``(left, top, width, height)`` in pixels for an image of this size."""
        left = round(width * self.left)
        top = round(height * self.top)
        right = width - round(width * self.right)
        bottom = height - round(height * self.bottom)
        return left, top, max(right - left, 0), max(bottom - top, 0)


SAFE_A = SafeZone(top=0.15, bottom=0.15, left=0.10, right=0.10)
SAFE_B = SafeZone(top=0.20, bottom=0.20, left=0.10, right=0.10)
SAFE_C = SafeZone(top=0.25, bottom=0.15, left=0.10, right=0.10)
SAFE_D = SafeZone(top=0.20, bottom=0.10, left=0.15, right=0.15)

# File types are lower-case extensions; "jpeg" and "jpg" name the same type.
_JPEG_PNG = ("jpeg", "png")
_JPEG_PNG_GIF = ("jpeg", "png", "gif")
_JPEG_PNG_GIF_WEBP = ("jpeg", "png", "gif", "webp")


@dataclass(frozen=True, slots=True)
class SocialFormat:
    id: str  # "<platform>.<name>", e.g. "instagram.feed_square"
    platform: str
    name: str  # short id inside the platform, e.g. "feed_square"
    width: int
    height: int
    safe_zone: SafeZone
    max_bytes: int
    file_types: tuple[str, ...]
    label: str = ""

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def accepts(self, file_type: str) -> bool:
        return normalise_file_type(file_type) in self.file_types


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    name: str
    max_bytes: int
    file_types: tuple[str, ...]
    formats: tuple[SocialFormat, ...]


def normalise_file_type(file_type: str) -> str:
    t = file_type.lower().lstrip(".")
    t = t.removeprefix("image/")
    return "jpeg" if t in ("jpg", "jpe", "jfif") else t


def _platform(
    pid: str,
    max_bytes: int,
    file_types: tuple[str, ...],
    formats: list[tuple[str, str, int, int, SafeZone] | tuple[str, str, int, int, SafeZone, int]],
) -> Platform:
    built = []
    for spec in formats:
        fname, label, w, h, zone = spec[:5]
        limit = spec[5] if len(spec) > 5 else max_bytes
        built.append(
            SocialFormat(
                id=f"{pid}.{fname}",
                platform=pid,
                name=fname,
                width=w,
                height=h,
                safe_zone=zone,
                max_bytes=limit,
                file_types=file_types,
                label=label,
            )
        )
    return Platform(
        id=pid, name=platform_name(pid), max_bytes=max_bytes, file_types=file_types, formats=tuple(built)
    )


_PLATFORM_LIST = (
    _platform(
        "instagram",
        30 * MB,
        _JPEG_PNG,
        [
            ("feed_square", "Feed square", 1080, 1080, SAFE_A),
            ("feed_portrait", "Feed portrait", 1080, 1350, SAFE_B),
            ("story", "Story", 1080, 1920, SAFE_C),
            ("reel", "Reel cover", 1080, 1920, SAFE_C),
        ],
    ),
    _platform(
        "facebook",
        30 * MB,
        _JPEG_PNG_GIF_WEBP,
        [
            ("feed", "Feed", 1200, 630, SAFE_A),
            ("feed_square", "Feed square", 1080, 1080, SAFE_A),
            ("story", "Story", 1080, 1920, SAFE_C),
            ("cover", "Cover", 820, 312, SAFE_D),
        ],
    ),
    _platform(
        "x",
        5 * MB,
        _JPEG_PNG_GIF_WEBP,
        [
            ("post", "Post", 1200, 675, SAFE_A),
            ("card", "Card", 1200, 600, SAFE_A),
            ("header", "Header", 1500, 500, SAFE_D),
        ],
    ),
    _platform(
        "linkedin",
        8 * MB,
        _JPEG_PNG_GIF,
        [
            ("feed", "Feed", 1200, 627, SAFE_A),
            ("feed_square", "Feed square", 1080, 1080, SAFE_A),
            ("article", "Article", 1200, 627, SAFE_A),
            ("company_cover", "Company cover", 1128, 191, SAFE_D),
        ],
    ),
    _platform(
        "youtube",
        2 * MB,
        _JPEG_PNG_GIF,
        [
            ("thumbnail", "Thumbnail", 1280, 720, SAFE_A),
            ("channel_art", "Channel art", 2560, 1440, SAFE_D, 6 * MB),
        ],
    ),
    _platform(
        "pinterest",
        20 * MB,
        _JPEG_PNG_GIF_WEBP,
        [
            ("pin", "Pin", 1000, 1500, SAFE_B),
            ("story_pin", "Story pin", 1080, 1920, SAFE_C),
        ],
    ),
    _platform(
        "tiktok",
        10 * MB,
        _JPEG_PNG,
        [
            ("video_cover", "Video cover", 1080, 1920, SAFE_C),
        ],
    ),
)

PLATFORMS: Mapping[str, Platform] = MappingProxyType({p.id: p for p in _PLATFORM_LIST})
FORMATS: tuple[SocialFormat, ...] = tuple(f for p in _PLATFORM_LIST for f in p.formats)
_BY_ID: Mapping[str, SocialFormat] = MappingProxyType({f.id: f for f in FORMATS})


def get_platform(platform: str) -> Platform | None:
    return PLATFORMS.get(canonical_platform(platform))


def formats_for(platform: str) -> tuple[SocialFormat, ...] | None:
    """All formats of a platform, or ``None`` for an unknown platform."""
    p = get_platform(platform)
    return p.formats if p is not None else None


def get_format(platform: str, format_id: str) -> SocialFormat | None:
    """Look a format up by platform and format id.

    ``format_id`` may be the short name (``"feed_square"``) or the full id
    (``"instagram.feed_square"``; its platform prefix must then match). Unknown ids give ``None``.
    """
    pid = canonical_platform(platform)
    fid = format_id.strip().lower()
    if "." in fid:
        prefix, _, fid = fid.partition(".")
        if canonical_platform(prefix) != pid:
            return None
    return _BY_ID.get(f"{pid}.{fid}")


def format_by_id(full_id: str) -> SocialFormat | None:
    """Look a format up by its full id, e.g. ``"x.header"`` (``"twitter.header"`` also works)."""
    platform, sep, name = full_id.partition(".")
    if not sep:
        return None
    return get_format(platform, name)
