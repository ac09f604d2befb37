"""A batch as submitted: created as a draft, its validated rows added in chunks (so a 10,000-row file
never sits in memory at once), then sealed with its cost preview."""

from studio_batch.adapters import repository as repo
from studio_common.db import Executor
from studio_common.ids import new_id, utcnow


class BatchNotFound(Exception):
    pass


class BatchConflict(Exception):
    """The batch is not in a state that allows this."""


class TooManyRows(Exception):
    pass


async def create(
    session: Executor,
    user_id: str,
    name: str,
    concurrency: int,
    continue_on_error: bool,
    schedule: dict | None,
    notify: dict | None,
) -> str:
    batch_id = new_id()
    now = utcnow()
    await repo.add_batch(
        session,
        now,
        id=batch_id,
        user_id=user_id,
        name=name,
        state="draft",
        concurrency=concurrency,
        continue_on_error=continue_on_error,
        schedule=schedule,
        notify=notify,
        sealed=False,
    )
    return batch_id


async def add_rows(session: Executor, user_id: str, batch_id: str, rows: list[dict], max_rows: int) -> int:
    """Store a chunk of validated rows: each either a request to run or the errors that stop it."""
    batch = await repo.get_batch(session, batch_id, user_id, lock=True)
    if batch is None:
        raise BatchNotFound(f"no batch {batch_id}")
    if batch["sealed"]:
        raise BatchConflict("the batch's rows are complete; submit a new batch to change them")
    total = batch["total_rows"] + len(rows)
    if total > max_rows:
        raise TooManyRows(f"batch_too_large: a batch holds at most {max_rows} rows")
    now = utcnow()
    if rows:
        await repo.add_rows(
            session,
            [
                {
                    "batch_id": batch_id,
                    "row_number": row["row_number"],
                    "name": row.get("name") or "",
                    "kind": (row.get("request") or {}).get("kind") or row.get("kind") or "",
                    "domain": (row.get("request") or {}).get("domain") or "generation",
                    "provider": (row.get("request") or {}).get("provider") or "",
                    "model": (row.get("request") or {}).get("model") or "",
                    "units": (row.get("request") or {}).get("units") or 1,
                    "status": "invalid" if row.get("errors") else "pending",
                    "attempt": 1,
                    "request": row.get("request"),
                    "errors": row.get("errors") or None,
                    "updated_at": now,
                }
                for row in rows
            ],
        )
    invalid = sum(1 for row in rows if row.get("errors"))
    await repo.set_batch(session, batch_id, total_rows=total, invalid_rows=batch["invalid_rows"] + invalid)
    return total


async def discard(session: Executor, user_id: str, batch_id: str) -> None:
    """Drop a draft whose submission failed part way (too many rows, a broken file)."""
    batch = await repo.get_batch(session, batch_id, user_id, lock=True)
    if batch is None or batch["state"] != "draft":
        return
    await repo.remove_batch(session, batch_id)


async def seal(session: Executor, user_id: str, batch_id: str, preview: dict) -> None:
    batch = await repo.get_batch(session, batch_id, user_id, lock=True)
    if batch is None:
        raise BatchNotFound(f"no batch {batch_id}")
    await repo.set_batch(session, batch_id, sealed=True, preview=preview)
