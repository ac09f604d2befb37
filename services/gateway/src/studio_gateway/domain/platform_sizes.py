"""Which image sizes belong to a platform: its Create templates and its social formats. The library's
`platform` filter finds assets made at one of those sizes, wherever they came from."""

from studio_common.social_formats import formats_for
from studio_gateway.domain.templates import PLATFORMS, list_templates


class UnknownPlatform(ValueError):
    def __init__(self, platform: str) -> None:
        super().__init__(
            f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)} (or x for twitter)"
        )


def sizes_for(platform: str) -> list[tuple[int, int]]:
    wanted = "twitter" if platform.strip().lower() == "x" else platform.strip().lower()
    sizes = {(t.width, t.height) for t in list_templates(platform=wanted)} if wanted in PLATFORMS else set()
    sizes |= {(f.width, f.height) for f in formats_for(wanted) or ()}
    if not sizes:
        raise UnknownPlatform(platform)
    return sorted(sizes)
