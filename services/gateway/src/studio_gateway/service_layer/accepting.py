"""Accepting an operation: build its `operation.requested` event, then submit it once per idempotency key.
The answer is what the 202 carries."""

from datetime import timedelta

from studio_gateway.domain.create_request import CreateBody
from studio_gateway.domain.studio_operations import OperationSpec
from studio_gateway.service_layer import operation_requests
from studio_gateway.service_layer.operation_requests import Prepare
from studio_gateway.service_layer.studio import Submission


async def _submit(state, event, record, idempotency_key: str | None) -> dict:
    ttl = timedelta(hours=state.settings.idempotency_ttl_hours)
    return await state.submissions.submit(event, record, idempotency_key, ttl)


async def accept_create(state, user_id: str, body: CreateBody, idempotency_key: str | None) -> dict:
    event, record = await operation_requests.build_create(state, user_id, body)
    return await _submit(state, event, record, idempotency_key)


async def accept_studio(
    state,
    user_id: str,
    spec: OperationSpec,
    submission: Submission,
    idempotency_key: str | None,
    prepare: Prepare | None = None,
) -> dict:
    event, record = await operation_requests.build_studio(state, user_id, spec, submission, prepare)
    return await _submit(state, event, record, idempotency_key)
