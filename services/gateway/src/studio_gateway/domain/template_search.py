"""Finding templates: search by what a template is called, recommendation by what it is for.

Both rank by the words of the query found in a template's fields, each field weighted; pure string handling.
"""

import re

from studio_common.platforms import PLATFORM_CATALOGUE, canonical_platform
from studio_gateway.domain.templates import TEMPLATES, Template, list_templates

_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "we",
        "with",
        "your",
    }
)


def _normalise(word: str) -> str:
    # Crude plural folding so "thumbnails" finds "thumbnail" and "ads" finds "ad"; applied to both sides.
    if len(word) >= 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> set[str]:
    return {_normalise(word) for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOPWORDS}


def _field_tokens(template: Template) -> dict[str, set[str]]:
    info = PLATFORM_CATALOGUE[template.platform]  # its names and aliases are searchable: "twitter" finds X
    return {
        "name": _tokens(template.name),
        "platform": _tokens(" ".join((template.platform, info.name, *info.aliases))),
        "use_cases": _tokens(" ".join(template.use_cases)),
        "description": _tokens(template.description),
        "category": _tokens(template.category),
    }


_FIELD_TOKENS: dict[str, dict[str, set[str]]] = {t.id: _field_tokens(t) for t in TEMPLATES}

# Search is for finding a template by what it is called, so the name weighs most.
_SEARCH_WEIGHTS = {"name": 3, "platform": 2, "use_cases": 2, "description": 1}
# Recommendation is for finding a template by what it is for, so the use cases weigh most.
_RECOMMEND_WEIGHTS = {"use_cases": 3, "name": 2, "description": 1, "category": 1}


def _score(template: Template, query: set[str], weights: dict[str, int]) -> tuple[int, int]:
    """(query words matched, weighted hits). Matching more distinct words ranks first, then weight."""
    fields = _FIELD_TOKENS[template.id]
    matched = 0
    total = 0
    for word in query:
        hits = sum(weight for field, weight in weights.items() if word in fields[field])
        matched += hits > 0
        total += hits
    return matched, total


def _ranked(
    candidates: list[Template], query: set[str], weights: dict[str, int]
) -> list[tuple[Template, int]]:
    """Candidates with a positive score, best first; ties keep catalog order (sorted is stable)."""
    scored = [(template, _score(template, query, weights)) for template in candidates]
    scored.sort(key=lambda item: (-item[1][0], -item[1][1]))
    return [(template, score[1]) for template, score in scored]


def search_templates(query: str, limit: int = 20) -> list[Template]:
    """Templates matching any word of `query` in name, description, use cases or platform, best first."""
    words = _tokens(query or "")
    if not words or limit <= 0:
        return []
    ranked = _ranked(list(TEMPLATES), words, _SEARCH_WEIGHTS)
    return [template for template, score in ranked if score > 0][:limit]


def recommend_templates(use_case: str, platform: str | None = None, limit: int = 5) -> list[Template]:
    """Templates suited to a use case, best first, restricted to `platform` when it is a known one.

    With a platform, the rest of that platform's templates follow the matches, so a caller always gets
    that platform's formats even when the use case matches nothing. Without one, only matches are returned
    unless nothing matches, in which case the catalog's leading (most used) formats are suggested.
    """
    if limit <= 0:
        return []
    wanted = canonical_platform(platform) if platform else None
    scoped = wanted in PLATFORM_CATALOGUE
    candidates = list_templates(platform=wanted) if scoped else list(TEMPLATES)
    ranked = _ranked(candidates, _tokens(use_case or ""), _RECOMMEND_WEIGHTS)
    matches = [template for template, score in ranked if score > 0]
    if scoped or not matches:
        matches += [template for template, score in ranked if score == 0]
    return matches[:limit]
