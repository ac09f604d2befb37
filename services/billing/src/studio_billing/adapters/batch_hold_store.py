"""Reads and writes of batch reservations (one hold per batch that its rows draw from). Call under the
account's row lock (repository.lock_account), as every change of pending credits is."""

from sqlalchemy import select, update

from studio_billing.adapters.tables import batch_holds
from studio_common.db import Executor


async def add(session: Executor, **values) -> None:
    await session.execute(batch_holds.insert().values(**values))


async def get(session: Executor, hold_id: str, lock: bool = False):
    query = select(batch_holds).where(batch_holds.c.id == hold_id)
    return (await session.execute(query.with_for_update() if lock else query)).mappings().first()


async def open_for_batch(session: Executor, batch_id: str):
    """The batch's pending reservation, locked; None once it ended or was canceled."""
    query = select(batch_holds).where(batch_holds.c.batch_id == batch_id, batch_holds.c.status == "pending")
    return (await session.execute(query.with_for_update())).mappings().first()


async def take(session: Executor, hold_id: str, credits: int, category: str, units: int) -> None:
    """Take credits and quota units off what the reservation has left, as one atomic decrement."""
    category_column = batch_holds.c[f"remaining_{category}"]
    await session.execute(
        update(batch_holds)
        .where(batch_holds.c.id == hold_id)
        .values(
            {
                "remaining_credits": batch_holds.c.remaining_credits - credits,
                category_column: category_column - units,
            }
        )
    )


async def change(session: Executor, hold_id: str, **values) -> None:
    await session.execute(update(batch_holds).where(batch_holds.c.id == hold_id).values(**values))
