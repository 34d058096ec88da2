"""A session on one asyncpg connection, and what asyncpg's errors mean to the store.

A broken connection (the server restarted, `pg_terminate_backend`) surfaces as `StoreUnavailable`,
which the bot answers with "try again"; a broken constraint as `Conflict`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Literal

import asyncpg

from .engine import Conflict, Fetching, Params, Query, Row, StoreUnavailable
from .postgres_batch import batch, json_rows, numbered

# Errors meaning the connection or the server went away, not that the statement was wrong.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.CannotConnectNowError, ConnectionError, OSError, asyncio.TimeoutError,
)


class translated:
    """Constraint violations become `Conflict`; a lost connection becomes `StoreUnavailable`."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if exc is None:
            return False
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise Conflict(str(exc)) from exc
        if isinstance(exc, UNAVAILABLE):
            raise StoreUnavailable(f"the database connection failed: {type(exc).__name__}") from exc
        return False


async def fetch_batch(conn: asyncpg.Connection, queries: Sequence[Query], ids: Query | None) -> list[list[Row]]:
    """`fetch_many` on a connection: one query as itself, several as one batch statement."""
    if ids is None and len(queries) == 1:
        n = numbered(queries[0][0])
        with translated():
            rows: list[Row] = await conn.fetch(n.sql, *n.args(queries[0][1]))  # asyncpg Records
            return [rows]
    made = batch(ids[0] if ids else None, tuple(sql for sql, _ in queries))
    params = [*([ids[1]] if ids else []), *(p for _, p in queries)]
    with translated():
        row = await conn.fetchrow(made.sql, *made.args(params))
    assert row is not None
    return [json_rows(value) for value in row]


def _status_count(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresSession(Fetching):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        n = numbered(sql)
        with translated():
            rows: list[Row] = await self._conn.fetch(n.sql, *n.args(params))  # asyncpg Records
            return rows

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        return await fetch_batch(self._conn, queries, ids)

    async def execute(self, sql: str, params: Params = ()) -> int:
        n = numbered(sql)
        with translated():
            return _status_count(await self._conn.execute(n.sql, *n.args(params)))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        n = numbered(sql)
        args = [n.args(r) for r in rows]
        if args:
            with translated():
                await self._conn.executemany(n.sql, args)
