"""Version history: an asset made from another of the user's assets is its next version."""

from collections.abc import Iterable, Mapping
from typing import Any

MAX_CHAIN = 1000  # a guard against a cycle or a runaway chain, far above any real history


def next_version(source_version: int | None) -> int:
    """An edit, upscale or crop of one of the user's assets is its next version; anything else starts at 1."""
    return 1 if source_version is None else source_version + 1


def chain_order(assets: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Oldest first: by version, then creation time, then id."""
    return sorted(assets, key=lambda a: (a["version"], a["created_at"], a["id"]))
