"""Who may call the asset library's internal API: only the gateway, with a service token
(studio_common.service_auth) that names the user it authenticated; every query is scoped to that user."""

from typing import Annotated

from fastapi import Path

from studio_common.contracts.assets import LIBRARY, OPEN_BOARDS
from studio_common.ids import ID_PATTERN
from studio_common.service_auth import CallerPolicy, require_user

POLICY: CallerPolicy = {"gateway": frozenset({LIBRARY, OPEN_BOARDS})}
UserId = Annotated[str, require_user(LIBRARY)]
PathId = Annotated[str, Path(pattern=ID_PATTERN)]
