"""The gateway's SQL: the operations read model, idempotency keys and personas. Every query for a user's
data is scoped to that user, so another user's row looks exactly like a missing one (I6)."""

from sqlalchemy import Table, bindparam, func, select, update

from studio_common.db import Executor
from studio_gateway.adapters.tables import idempotency_keys, operations, personas


async def add_operation(session: Executor, **values) -> None:
    await session.execute(operations.insert().values(**values))


async def operation(session: Executor, user_id: str, operation_id: str):
    query = select(operations).where(operations.c.id == operation_id, operations.c.user_id == user_id)
    return (await session.execute(query)).mappings().first()


async def operations_page(
    session: Executor, user_id: str, page: int, page_size: int, status: str | None, kind: str | None
) -> tuple[list, int]:
    """One page of the user's operations, newest first, and how many there are in all."""
    where = [operations.c.user_id == user_id]
    if status:
        where.append(operations.c.status == status)
    if kind:
        where.append(operations.c.kind == kind)
    total = await session.scalar(select(func.count()).select_from(operations).where(*where))
    query = (
        select(operations)
        .where(*where)
        .order_by(operations.c.created_at.desc(), operations.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list((await session.execute(query)).mappings().all()), total


async def progress(session: Executor, operation_id: str, lock: bool = False):
    """An operation's status and progress (any user's: events carry no caller); `lock` holds its row."""
    query = _LOCK_PROGRESS if lock else _PROGRESS
    return (await session.execute(query, {"operation": operation_id})).first()


# Read for every event folded: built once, the operation's id a parameter.
_PROGRESS = select(operations.c.status, operations.c.progress).where(
    operations.c.id == bindparam("operation")
)
_LOCK_PROGRESS = _PROGRESS.with_for_update()


# The read-model fold's one statement, built once: the changed columns are its parameters.
_CHANGE_OPERATION = update(operations).where(operations.c.id == bindparam("operation"))


async def change_operation(session: Executor, operation_id: str, **changes) -> None:
    await session.execute(_CHANGE_OPERATION, {**changes, "operation": operation_id})


def _key(user_id: str, key: str):
    return (idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)


async def idempotency_key(session: Executor, user_id: str, key: str):
    return (await session.execute(select(idempotency_keys).where(*_key(user_id, key)))).mappings().first()


def new_operation_rows(operation: dict, idempotency_key: dict | None) -> list[tuple[Table, dict]]:
    """The rows that record a submitted operation, and the key it was submitted under."""
    return [(operations, operation)] + ([(idempotency_keys, idempotency_key)] if idempotency_key else [])


async def add_rows(session: Executor, rows: list[tuple[Table, dict]]) -> None:
    for table, values in rows:
        await session.execute(table.insert().values(**values))


async def forget_idempotency_key(session: Executor, user_id: str, key: str) -> None:
    await session.execute(idempotency_keys.delete().where(*_key(user_id, key)))


def _persona(user_id: str, persona_id: str):
    return (personas.c.id == persona_id, personas.c.user_id == user_id)


async def count_personas(session: Executor, user_id: str) -> int:
    return await session.scalar(
        select(func.count()).select_from(personas).where(personas.c.user_id == user_id)
    )


async def add_persona(session: Executor, **values) -> None:
    await session.execute(personas.insert().values(**values))


async def persona(session: Executor, user_id: str, persona_id: str):
    return (await session.execute(select(personas).where(*_persona(user_id, persona_id)))).mappings().first()


async def personas_of(session: Executor, user_id: str) -> list:
    query = select(personas).where(personas.c.user_id == user_id).order_by(personas.c.name)
    return list((await session.execute(query)).mappings().all())


async def change_persona(session: Executor, user_id: str, persona_id: str, **changes) -> None:
    await session.execute(personas.update().where(*_persona(user_id, persona_id)).values(**changes))


async def remove_persona(session: Executor, user_id: str, persona_id: str) -> bool:
    result = await session.execute(personas.delete().where(*_persona(user_id, persona_id)))
    return result.rowcount > 0
