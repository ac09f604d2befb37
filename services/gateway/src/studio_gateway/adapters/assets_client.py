"""The asset library's internal API as typed calls, always for one user (I6): the bodies are the
library's own contract models (studio_common.contracts.assets)."""

from studio_common.contracts.assets import (
    LIBRARY,
    OPEN_BOARDS,
    AssetPatch,
    BulkDelete,
    BulkDownloadQuery,
    Usage,
)
from studio_gateway.adapters.internal import InternalService


class AssetsClient(InternalService):
    SCOPES = (LIBRARY, OPEN_BOARDS)

    async def search(self, user_id: str, params: dict) -> dict:
        return await self.call("GET", "/internal/assets", user_id=user_id, params=params)

    async def get(self, user_id: str, asset_id: str) -> dict:
        return await self.call("GET", f"/internal/assets/{asset_id}", user_id=user_id)

    async def update(self, user_id: str, asset_id: str, patch: AssetPatch) -> dict:
        body = patch.model_dump(exclude_none=True)  # an absent field stays as it is
        return await self.call("PATCH", f"/internal/assets/{asset_id}", user_id=user_id, json=body)

    async def trash(self, user_id: str, asset_id: str) -> dict:
        return await self.call("DELETE", f"/internal/assets/{asset_id}", user_id=user_id)

    async def restore(self, user_id: str, asset_id: str) -> dict:
        return await self.call("POST", f"/internal/assets/{asset_id}/restore", user_id=user_id)

    async def versions(self, user_id: str, asset_id: str) -> dict:
        return await self.call("GET", f"/internal/assets/{asset_id}/versions", user_id=user_id)

    async def similar(self, user_id: str, asset_id: str) -> dict:
        return await self.call("GET", f"/internal/assets/{asset_id}/similar", user_id=user_id)

    async def record_usage(self, user_id: str, asset_id: str, usage: Usage) -> dict:
        return await self.call(
            "POST", f"/internal/assets/{asset_id}/usage", user_id=user_id, json=usage.model_dump()
        )

    async def bulk_delete(self, user_id: str, body: BulkDelete) -> dict:
        return await self.call(
            "POST", "/internal/assets/bulk-delete", user_id=user_id, json=body.model_dump()
        )

    async def bulk_download(self, user_id: str, body: BulkDownloadQuery) -> dict:
        return await self.call(
            "POST", "/internal/assets/bulk-download", user_id=user_id, json=body.model_dump()
        )
