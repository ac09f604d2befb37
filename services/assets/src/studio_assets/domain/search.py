"""What a library query asks for, independent of how the database answers it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

SORTS = ("newest", "oldest", "largest", "smallest", "title")
# Each sort is a list of (field, direction); created_at and id break ties so pages never overlap.
SORT_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "newest": (("created_at", "desc"), ("id", "desc")),
    "oldest": (("created_at", "asc"), ("id", "asc")),
    "largest": (("bytes", "desc"), ("created_at", "desc"), ("id", "desc")),
    "smallest": (("bytes", "asc"), ("created_at", "desc"), ("id", "desc")),
    "title": (("title", "asc"), ("created_at", "desc"), ("id", "desc")),
}
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class AssetQuery:
    user_id: str
    search: str | None = None
    type: str | None = None
    module: str | None = None
    provider: str | None = None
    model: str | None = None
    operation_id: str | None = None
    status: str | None = None
    favourite: bool | None = None
    tag: str | None = None
    collection_id: str | None = None
    sizes: tuple[tuple[int, int], ...] = ()  # (width, height) pairs; any of them matches
    date_from: datetime | None = None
    date_to: datetime | None = None
    width: int | None = None
    height: int | None = None
    trashed: bool = False
    sort: str = "newest"
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.page < 1 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page must be >= 1 and page_size between 1 and {MAX_PAGE_SIZE}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def order(self) -> tuple[tuple[str, str], ...]:
        return SORT_KEYS[self.sort]

    @property
    def search_term(self) -> str | None:
        term = (self.search or "").strip().lower()
        return term or None


def parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """`1080x1080,1080x1350` -> ((1080, 1080), (1080, 1350)); ValueError naming a bad item."""
    sizes = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        width, sep, height = item.lower().partition("x")
        if not (sep and width.isdigit() and height.isdigit()):
            raise ValueError(f"{item!r} is not WIDTHxHEIGHT")
        sizes.append((int(width), int(height)))
    if not sizes or len(sizes) > 100:
        raise ValueError("give 1 to 100 sizes")
    return tuple(sizes)


def like_pattern(term: str) -> str:
    """A `LIKE ... ESCAPE '\\'` pattern matching `term` anywhere, with its own % and _ taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_moment(text: str, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time as an aware UTC datetime. A bare date means the start of that day, or
    its last instant when `end_of_day` (so `date_to=2025-03-01` includes all of March 1st)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, UTC)
            return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO date (2025-03-01) or date-time (2025-03-01T12:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
