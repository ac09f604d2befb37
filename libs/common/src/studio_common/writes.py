"""Writes on the hot paths: statements built once and executed with parameters (no clause building or
cache-key computing per call), and several writes sent to PostgreSQL as one statement (one round trip)."""

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, Table, Update, bindparam, insert, update
from sqlalchemy.sql.dml import UpdateBase

from studio_common.db import Executor, dialect_name

# A statement and the values of its parameters.
Write = tuple[UpdateBase, Mapping[str, Any]]


@functools.cache
def insert_of(table: Table, columns: tuple[str, ...], prefix: str) -> Insert:
    """INSERT of `columns`, each value the parameter `prefix` + column name; built once per shape."""
    return insert(table).values({name: _parameter(table, name, prefix) for name in columns})


@functools.cache
def update_of(table: Table, key: str, columns: tuple[str, ...], prefix: str) -> Update:
    """UPDATE of `columns` of the row whose `key` is the parameter `prefix` + key; built once per shape."""
    statement = update(table).where(table.c[key] == _parameter(table, key, prefix))
    return statement.values({name: _parameter(table, name, prefix) for name in columns})


def _parameter(table: Table, name: str, prefix: str) -> ColumnElement:
    return bindparam(prefix + name, type_=table.c[name].type)


def inserting(table: Table, values: Mapping[str, Any], prefix: str) -> Write:
    return insert_of(table, tuple(values), prefix), prefixed(values, prefix)


def updating(table: Table, key: str, key_value: Any, values: Mapping[str, Any], prefix: str) -> Write:
    statement = update_of(table, key, tuple(values), prefix)
    return statement, prefixed({**values, key: key_value}, prefix)


def prefixed(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


def in_one_statement(statements: Sequence[UpdateBase]) -> UpdateBase:
    """The INSERTs, UPDATEs and upserts `statements` as one statement: all but the last ride as
    data-modifying WITH clauses (PostgreSQL; SQLite has none). PostgreSQL runs those in no set order, so
    they must not depend on each other, and at most one may wait for a row lock another transaction can
    hold (two waits in no set order could deadlock)."""
    *others, statement = statements
    for number, other in enumerate(others):
        statement = statement.add_cte(other.cte(f"write_{number}"))
    return statement


def inserts_in_one_statement(rows: Sequence[tuple[Table, dict]]) -> Write:
    """An INSERT per (table, values), as one statement (`in_one_statement`), so the rows commit together
    with no transaction around them; built once per shape of the rows."""
    return _together(
        [inserting(table, values, f"row{number}_") for number, (table, values) in enumerate(rows)]
    )


async def execute_together(session: Executor, writes: Sequence[Write]) -> None:
    """Run `writes` in the session's transaction: in one round trip on PostgreSQL (`in_one_statement`,
    whose rules apply; parameter names must differ between the writes), one after another in the given
    order on SQLite."""
    if dialect_name(session) != "postgresql" or len(writes) == 1:
        for statement, values in writes:
            await session.execute(statement, values)
        return
    await session.execute(*_together(writes))


def _together(writes: Sequence[Write]) -> Write:
    values = {name: value for _, each in writes for name, value in each.items()}
    if len(values) != sum(len(each) for _, each in writes):
        raise ValueError("writes executed together share a parameter name")
    return _joined(tuple(statement for statement, _ in writes)), values


@functools.lru_cache(maxsize=256)
def _joined(statements: tuple[UpdateBase, ...]) -> UpdateBase:
    # Statements are built once (insert_of, update_of, module constants), so each combination is too.
    return in_one_statement(statements)
