"""The one catalogue of publishing platforms: ids, display names and the other names people use for them.

Create's templates and the social optimizer's formats both name their platform by an id from here, so a
platform filter means the same thing everywhere. X is `x`; `twitter` is accepted wherever a platform is
looked up, and turned into `x`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


PLATFORM_LIST: tuple[PlatformInfo, ...] = (
    PlatformInfo("instagram", "Instagram"),
    PlatformInfo("facebook", "Facebook"),
    PlatformInfo("x", "X / Twitter", aliases=("twitter",)),
    PlatformInfo("linkedin", "LinkedIn"),
    PlatformInfo("youtube", "YouTube"),
    PlatformInfo("pinterest", "Pinterest"),
    PlatformInfo("tiktok", "TikTok"),
    PlatformInfo("blog", "Blog"),
    PlatformInfo("email", "Email"),
    PlatformInfo("website", "Website"),
    PlatformInfo("display_ads", "Display ads"),
    PlatformInfo("ecommerce", "E-commerce"),
)

PLATFORM_CATALOGUE: Mapping[str, PlatformInfo] = MappingProxyType({p.id: p for p in PLATFORM_LIST})
_BY_NAME: Mapping[str, str] = MappingProxyType(
    {name: p.id for p in PLATFORM_LIST for name in (p.id, *p.aliases)}
)


def canonical_platform(text: str) -> str:
    """The catalogue id for a platform id or alias (any case, spaces around ignored); text that names no
    platform comes back normalised, so a lookup with it simply finds nothing."""
    name = text.strip().lower()
    return _BY_NAME.get(name, name)


def known_platform(text: str) -> PlatformInfo | None:
    return PLATFORM_CATALOGUE.get(canonical_platform(text))


def platform_name(platform_id: str) -> str:
    return PLATFORM_CATALOGUE[platform_id].name
