"""The asset library's internal API (`/internal/assets`): what the gateway sends for a user's assets.

The limits are the library's own rules; its domain reads them from here so a body the gateway accepts is
one the library accepts."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from studio_common.ids import ID_PATTERN

# The scopes a caller's service token may carry for the library (studio_common.service_auth).
LIBRARY, OPEN_BOARDS = "library", "boards.open"

TITLE_MAX_CHARS = 200
MAX_TAGS = 50
MAX_TAG_CHARS = 64
MAX_BULK_DELETE = 500  # assets in one bulk delete
MAX_BULK_DOWNLOAD = 100  # assets in one ZIP

Sort = Literal["newest", "oldest", "largest", "smallest", "title"]
SearchMode = Literal["hybrid", "semantic", "keyword"]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TAG_CHARS)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS)]
AssetId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
AssetIds = list[AssetId]


class AssetPatch(BaseModel):  # the fields a user may change; an absent field stays as it is
    model_config = ConfigDict(extra="forbid")
    favourite: bool | None = None
    title: Title | None = None
    tags: list[Tag] | None = Field(None, max_length=MAX_TAGS)


class BulkDelete(BaseModel):
    asset_ids: AssetIds = Field(min_length=1, max_length=MAX_BULK_DELETE)


class BulkDownload(BaseModel):
    asset_ids: AssetIds = Field(
        min_length=1, max_length=MAX_BULK_DOWNLOAD, description="the user's own assets, in ZIP order"
    )


class BulkDownloadQuery(BulkDownload):
    """What the gateway asks the library for a ZIP: the assets, and the most bytes it will stream."""

    max_bytes: int | None = Field(None, ge=1)


class Usage(BaseModel):
    event: Literal["download", "share"]
