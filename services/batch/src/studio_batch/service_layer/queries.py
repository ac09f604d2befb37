"""Reading batches back: the list, one batch with its counts and money, and its rows page by page."""

from studio_batch.adapters import repository as repo
from studio_batch.domain.batches import progress
from studio_batch.service_layer import notifications
from studio_batch.service_layer.drafts import BatchNotFound
from studio_common.db import Executor

ROW_PAGE_MAX = 1000


async def batch_view(session: Executor, batch) -> dict:
    counts = await repo.row_counts(session, batch["id"])
    charged, released_by_rows = await repo.row_money(session, batch["id"])
    reserved = batch["reserved_credits"]
    released = batch["released_credits"] + released_by_rows
    return {
        "id": batch["id"],
        "name": batch["name"],
        "state": batch["state"],
        "concurrency": batch["concurrency"],
        "continue_on_error": batch["continue_on_error"],
        "schedule": batch["schedule"],
        "schedule_id": batch["schedule_id"],
        "run_id": batch["run_id"],
        "notify": notifications.public_notify(batch["notify"]),
        "total_rows": batch["total_rows"],
        "invalid_rows": batch["invalid_rows"],
        "counts": counts,
        "progress": progress(counts),
        "stop_reason": batch["stop_reason"],
        "preview": batch["preview"],
        "credits": {
            "reserved": reserved,
            "charged": charged,
            "released": released,
            "held": reserved - charged - released,
        },
        "created_at": batch["created_at"],
        "confirmed_at": batch["confirmed_at"],
        "started_at": batch["started_at"],
        "finished_at": batch["finished_at"],
        "updated_at": batch["updated_at"],
    }


async def get(session: Executor, user_id: str, batch_id: str) -> dict:
    batch = await repo.get_batch(session, batch_id, user_id)
    if batch is None:
        raise BatchNotFound(f"no batch {batch_id}")
    return {
        **await batch_view(session, batch),
        "notifications": await notifications.deliveries_for_batch(session, batch_id),
    }


async def list_for(
    session: Executor, user_id: str, page: int, page_size: int, schedule_id: str | None = None
) -> dict:
    found, total = await repo.batches_page(session, user_id, schedule_id, page, page_size)
    return {
        "items": [await batch_view(session, b) for b in found],
        "total": total,
        "page": page,
        "page_size": page_size,
    }


def row_view(row) -> dict:
    outputs = row["outputs"] or []
    return {
        "row": row["row_number"],
        "name": row["name"],
        "kind": row["kind"],
        "status": row["status"],
        "attempt": row["attempt"],
        "operation_id": row["operation_id"],
        "errors": row["errors"] or [],
        "error": row["error"],
        "outputs": outputs,
        "asset_ids": [o["asset_id"] for o in outputs],
        "credits": row["credits"],
        "history": row["history"] or [],
        "updated_at": row["updated_at"],
        "sent_at": row["sent_at"],
        "finished_at": row["finished_at"],
    }


async def rows(
    session: Executor,
    user_id: str,
    batch_id: str,
    status: str | None,
    page: int,
    page_size: int,
    changed_since=None,
) -> dict:
    if await repo.get_batch(session, batch_id, user_id) is None:
        raise BatchNotFound(f"no batch {batch_id}")
    statuses = status.split(",") if status else None
    found, total = await repo.rows_page(session, batch_id, statuses, changed_since, page, page_size)
    return {"items": [row_view(r) for r in found], "total": total, "page": page, "page_size": page_size}
