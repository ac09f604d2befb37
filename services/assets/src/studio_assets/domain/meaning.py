"""Search by meaning and near-duplicates: pure ranking rules, no I/O.

Hybrid search (the default) lists the keyword matches first, in the query's sort order, then the
assets whose meaning is close to the search (cosine at least SEMANTIC_CUTOFF), closest first.
"""

from collections.abc import Sequence

import numpy as np

SEARCH_MODES = ("hybrid", "semantic", "keyword")
SEMANTIC_CUTOFF = 0.3  # all-MiniLM-L6-v2: unrelated short texts score below about 0.2
MAX_SEMANTIC_HITS = 1000  # closest assets considered per search
NEAR_DUPLICATE_BITS = 10  # of the 64 pHash bits: resized, re-encoded or lightly edited copies


def embedding_text(title: str, prompt: str, tags: Sequence[str]) -> str:
    """What an asset's vector means: its title, its prompt (when it says more) and its tags."""
    parts = [title]
    if prompt and prompt.strip().lower() != title.strip().lower():
        parts.append(prompt)
    if tags:
        parts.append(", ".join(tags))
    return "\n".join(part for part in parts if part)


def rank(
    ids: Sequence[str],
    matrix: np.ndarray,
    query: np.ndarray,
    cutoff: float = SEMANTIC_CUTOFF,
    limit: int = MAX_SEMANTIC_HITS,
) -> list[tuple[str, float]]:
    """(id, cosine) of the rows at least ``cutoff`` close to ``query``, closest first (unit vectors)."""
    if not len(ids):
        return []
    scores = matrix @ query
    above = np.flatnonzero(scores >= cutoff)
    if len(above) > limit:
        above = above[np.argpartition(-scores[above], limit - 1)[:limit]]
    order = above[np.argsort(-scores[above], kind="stable")]
    return [(ids[i], float(scores[i])) for i in order]


def hybrid(keyword_ids: Sequence[str], semantic: Sequence[tuple[str, float]]) -> list[str]:
    """Keyword matches first (in their order), then the semantic ones not already listed."""
    seen = set(keyword_ids)
    return [*keyword_ids, *(asset_id for asset_id, _ in semantic if asset_id not in seen)]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def near_duplicates(
    phash: str, candidates: Sequence[tuple[str, str]], max_bits: int = NEAR_DUPLICATE_BITS
) -> list[tuple[str, int]]:
    """(id, distance) of the candidates (id, phash) within ``max_bits``, nearest first."""
    close = [(asset_id, hamming(phash, other)) for asset_id, other in candidates if other]
    return sorted((c for c in close if c[1] <= max_bits), key=lambda c: (c[1], c[0]))
