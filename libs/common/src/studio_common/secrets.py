"""What counts as a secret fit for production: long, not a default from the source, not a placeholder."""

MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10
# Fragments of the example and placeholder values that documentation and manifests show.
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "replace",
    "placeholder",
    "example",
    "dev-only",
    "not-secret",
    "your-secret",
    "xxxx",
)


def weakness(value: str | None, known_defaults: tuple[str, ...] = ()) -> str | None:
    """Why `value` is not a production secret, or None when it is acceptable."""
    if not value:
        return "it is empty"
    if value in known_defaults:
        return "it is the default from the source code"
    if len(value) < MIN_SECRET_CHARS:
        return f"it is shorter than {MIN_SECRET_CHARS} characters"
    lowered = value.lower()
    marker = next((m for m in PLACEHOLDER_MARKERS if m in lowered), None)
    if marker:
        return f"it looks like a placeholder (contains {marker!r})"
    if len(set(value)) < MIN_DISTINCT_CHARS:
        return f"it has fewer than {MIN_DISTINCT_CHARS} distinct characters"
    return None
