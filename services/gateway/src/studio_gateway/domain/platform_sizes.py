"""Which image sizes belong to a platform: its Create templates and its social formats. The library's
`platform` filter finds assets made at one of those sizes, wherever they came from."""

from studio_common.platforms import PLATFORM_CATALOGUE, known_platform
from studio_common.social_formats import formats_for
from studio_gateway.domain.templates import list_templates


class UnknownPlatform(ValueError):
    def __init__(self, platform: str) -> None:
        super().__init__(
            f"unknown platform {platform!r}; use one of {', '.join(PLATFORM_CATALOGUE)} (or twitter for x)"
        )


def sizes_for(platform: str) -> list[tuple[int, int]]:
    info = known_platform(platform)
    if info is None:
        raise UnknownPlatform(platform)
    sizes = {(t.width, t.height) for t in list_templates(platform=info.id)}
    sizes |= {(f.width, f.height) for f in formats_for(info.id) or ()}
    return sorted(sizes)
