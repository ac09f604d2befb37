"""Path and query parameters shared by the public routes.

Ids in a path are forwarded into internal services' URLs: anything but the characters ids are made of
(control characters, spaces, slashes) is refused here with a 422 naming the parameter."""

from typing import Annotated

from fastapi import Header, Path, Query
from pydantic import StringConstraints

from studio_common.auth import SUBJECT_PATTERN
from studio_common.ids import ID_PATTERN

ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="letters, digits and _ . @ + - (up to 128)")]
# A user id in a path (the admin's plan change): the token subject pattern.
UserIdParam = Annotated[str, Path(pattern=SUBJECT_PATTERN.pattern, description="a user id (a token's sub)")]
# Ids in a JSON body or form field: the same characters as in a path.
BodyId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
MAX_PAGE = 100_000
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
# Makes a retried submission answer with the operation the first one made (service_layer/operations.py).
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]
