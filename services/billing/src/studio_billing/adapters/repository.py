"""Reads and writes of billing's tables; every write happens under the account's row lock."""

import functools
from datetime import datetime

from sqlalchemy import bindparam, func, literal, select, union_all, update

from studio_billing.adapters.tables import accounts, batch_holds, entries, holds
from studio_billing.adapters.tables import period_usage as usage
from studio_billing.domain.ledger import Balance, Counted
from studio_billing.domain.plans import DEFAULT_PLAN, PLANS, period_bounds
from studio_common import writes
from studio_common.db import Executor, dialect_insert, dialect_name
from studio_common.ids import as_utc, derived_id
from studio_common.writes import Write


async def lock_account(session: Executor, user_id: str, now: datetime):
    """The account row, locked for this transaction; created with the Free grant on first sight,
    and granted the plan's credits again when a new monthly period has begun."""
    row = await _locked_account(session, user_id)
    if row is None:
        await _open_account(session, user_id, now)
        row = await _locked_account(session, user_id)
    if now > as_utc(row["period_end"]):
        await _start_new_period(session, row, now)
        row = await _locked_account(session, user_id)
    return row


async def _locked_account(session: Executor, user_id: str):
    return (await session.execute(_LOCK_ACCOUNT, {"account": user_id})).mappings().first()


async def _open_account(session: Executor, user_id: str, now: datetime) -> None:
    start, end = period_bounds(now)
    statement = dialect_insert(dialect_name(session))(accounts).values(
        user_id=user_id,
        plan=DEFAULT_PLAN,
        period_start=start,
        period_end=end,
        granted=0,
        posted=0,
        pending=0,
        updated_at=now,
    )
    result = await session.execute(statement.on_conflict_do_nothing(index_elements=["user_id"]))
    if result.rowcount:
        await add_entry(
            session,
            user_id,
            "grant",
            PLANS[DEFAULT_PLAN].monthly_credits,
            now,
            entry_id=derived_id("grant", user_id, start.isoformat()),
            reason="monthly grant: free",
        )


async def _start_new_period(session: Executor, account, now: datetime) -> None:
    start, end = period_bounds(now)
    await session.execute(
        update(accounts)
        .where(accounts.c.user_id == account["user_id"])
        .values(period_start=start, period_end=end, updated_at=now)
    )
    plan = PLANS[account["plan"]]
    await add_entry(
        session,
        account["user_id"],
        "grant",
        plan.monthly_credits,
        now,
        entry_id=derived_id("grant", account["user_id"], start.isoformat()),
        reason=f"monthly grant: {plan.name}",
    )


async def add_entry(
    session: Executor,
    user_id: str,
    entry_type: str,
    credits: int,
    now: datetime,
    *,
    entry_id: str,
    operation_id: str | None = None,
    reason: str = "",
) -> bool:
    """Append an immutable entry and move the account's running totals with it, once per entry id (ids
    derive from what caused the entry, so a repeated cause adds nothing); True if it was added.
    Callers hold the account's lock, so the check and the insert cannot race."""
    if await session.scalar(select(entries.c.id).where(entries.c.id == entry_id)) is not None:
        return False
    await session.execute(
        entries.insert().values(
            id=entry_id,
            user_id=user_id,
            entry_type=entry_type,
            credits=credits,
            operation_id=operation_id,
            reason=reason,
            created_at=now,
        )
    )
    column = accounts.c.granted if credits >= 0 else accounts.c.posted
    await session.execute(
        update(accounts)
        .where(accounts.c.user_id == user_id)
        .values({column: column + abs(credits), "updated_at": now})
    )
    return True


def settling(hold, charged: int, now: datetime) -> list[Write]:
    """Release the hold from pending and post what was charged, in one update of the totals, with the
    immutable post entry beside it (for `writes.execute_together` with the hold's own change)."""
    moved = {"account": hold["user_id"], "held": hold["credits"], "charged": charged, "now": now}
    totals = (_SETTLE_TOTALS, writes.prefixed(moved, "settle_"))
    if not charged:
        return [totals]
    entry = dict(
        id=derived_id("post", hold["id"]),
        user_id=hold["user_id"],
        entry_type="post",
        credits=-charged,
        operation_id=hold["operation_id"],
        reason=f"{hold['kind']} via {hold['provider']}/{hold['model']}",
        created_at=now,
    )
    return [totals, writes.inserting(entries, entry, "entry_")]


async def change_plan(session: Executor, user_id: str, plan: str, now: datetime) -> None:
    await session.execute(
        update(accounts).where(accounts.c.user_id == user_id).values(plan=plan, updated_at=now)
    )


async def change_pending(session: Executor, user_id: str, delta: int, now: datetime) -> None:
    await session.execute(*changing_pending(user_id, delta, now))


def changing_pending(user_id: str, delta: int, now: datetime) -> Write:
    return _CHANGE_PENDING, {"pending_account": user_id, "pending_delta": delta, "pending_now": now}


# The hot path's updates, built once with their values as parameters (reused compiled, no clause building);
# the names differ from those of the writes executed beside them (writes.execute_together).
_SETTLE_TOTALS = (
    update(accounts)
    .where(accounts.c.user_id == bindparam("settle_account"))
    .values(
        pending=accounts.c.pending - bindparam("settle_held"),
        posted=accounts.c.posted + bindparam("settle_charged"),
        updated_at=bindparam("settle_now"),
    )
)
_CHANGE_PENDING = (
    update(accounts)
    .where(accounts.c.user_id == bindparam("pending_account"))
    .values(pending=accounts.c.pending + bindparam("pending_delta"), updated_at=bindparam("pending_now"))
)


_LOCK_ACCOUNT = select(accounts).where(accounts.c.user_id == bindparam("account")).with_for_update()
_HOLD = select(holds).where(holds.c.operation_id == bindparam("operation_id"))
_LOCK_HOLD = _HOLD.with_for_update()
_OPEN_BATCH_HOLDS = (
    batch_holds.c.user_id == bindparam("account"),
    batch_holds.c.period_start == bindparam("period_start"),
    batch_holds.c.status == "pending",
)


def _batch_reservations_left(category: str, units, credits):
    """What open batch reservations have not yet handed to their rows, as a row of the period's usage."""
    return select(
        literal(category), func.coalesce(func.sum(units), 0), func.coalesce(func.sum(credits), 0)
    ).where(*_OPEN_BATCH_HOLDS)


# (quota category, units, credits) rows: the running usage, then what batch reservations keep aside.
_PERIOD_USAGE = union_all(
    select(usage.c.quota_category, usage.c.units, usage.c.credits).where(
        usage.c.user_id == bindparam("account"), usage.c.period_start == bindparam("period_start")
    ),
    _batch_reservations_left("images", batch_holds.c.remaining_images, batch_holds.c.remaining_credits),
    _batch_reservations_left("edits", batch_holds.c.remaining_edits, literal(0)),
    _batch_reservations_left("videos", batch_holds.c.remaining_videos, literal(0)),
)


def balance_of(account) -> Balance:
    return Balance(granted=account["granted"], posted=account["posted"], pending=account["pending"])


async def period_usage(session: Executor, user_id: str, period_start: datetime) -> tuple[dict[str, int], int]:
    """Quota units used per category and credits spent or reserved in the period, open batch reservations
    included, in one read."""
    used: dict[str, int] = {}
    spend = 0
    for category, units, credits in await session.execute(
        _PERIOD_USAGE, {"account": user_id, "period_start": period_start}
    ):
        used[category] = used.get(category, 0) + int(units)
        spend += int(credits)
    return used, spend


async def count_usage(session: Executor, hold, change: Counted) -> None:
    """Move the running usage of the hold's period by `change` (ledger.counted), as one atomic increment:
    a hold is resolved under its own row lock, not the account's, so two resolutions may meet here."""
    for write in counting_usage(dialect_name(session), hold, change):
        await session.execute(*write)


def counting_usage(dialect: str, hold, change: Counted) -> list[Write]:
    """`count_usage`'s write, none when nothing changes (for `writes.execute_together`)."""
    if not (change.units or change.credits):
        return []
    values = {
        "user_id": hold["user_id"],
        "period_start": as_utc(hold["period_start"]),
        "quota_category": hold["quota_category"],
        "units": change.units,
        "credits": change.credits,
    }
    return [(_add_usage(dialect), writes.prefixed(values, "usage_"))]


@functools.cache
def _add_usage(dialect: str):
    """The upsert that adds to a usage row, built once per dialect, values as parameters."""
    columns = ("user_id", "period_start", "quota_category", "units", "credits")
    statement = dialect_insert(dialect)(usage).values(
        {name: bindparam(f"usage_{name}", type_=usage.c[name].type) for name in columns}
    )
    return statement.on_conflict_do_update(
        index_elements=["user_id", "period_start", "quota_category"],
        set_={
            "units": usage.c.units + statement.excluded.units,
            "credits": usage.c.credits + statement.excluded.credits,
        },
    )


async def hold_for(session: Executor, operation_id: str, lock: bool = False):
    query = _LOCK_HOLD if lock else _HOLD
    return (await session.execute(query, {"operation_id": operation_id})).mappings().first()
