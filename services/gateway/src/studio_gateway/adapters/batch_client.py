"""The batch service's internal API as typed calls for one user: the bodies are the batch service's own
contract models (studio_common.contracts.batches)."""

from studio_common.contracts.batches import BATCHES, ConfirmBody, NewBatch, Rows
from studio_gateway.adapters.internal import InternalService


class BatchClient(InternalService):
    SCOPES = (BATCHES,)

    async def create(self, user_id: str, batch: NewBatch) -> dict:
        return await self.call("POST", "/internal/batches", user_id=user_id, json=batch.model_dump())

    async def add_rows(self, user_id: str, batch_id: str, rows: Rows) -> dict:
        path = f"/internal/batches/{batch_id}/rows"
        return await self.call("POST", path, user_id=user_id, json=rows.model_dump())

    async def seal(self, user_id: str, batch_id: str) -> dict:
        return await self.call("POST", f"/internal/batches/{batch_id}/seal", user_id=user_id)

    async def discard(self, user_id: str, batch_id: str) -> dict:
        return await self.call("DELETE", f"/internal/batches/{batch_id}", user_id=user_id)

    async def confirm(self, user_id: str, batch_id: str, body: ConfirmBody) -> dict:
        path = f"/internal/batches/{batch_id}/confirm"
        return await self.call("POST", path, user_id=user_id, json=body.model_dump())
