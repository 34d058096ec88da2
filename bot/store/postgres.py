"""The PostgreSQL engine (asyncpg): one connection pool shared by every repository.

Writes run in a transaction on one pooled connection; `read()` is a read-only REPEATABLE READ
snapshot; `fetch_many` sends a batch of queries as one statement (`postgres_batch.py`). A broken
connection surfaces as `StoreUnavailable` (`postgres_session.py`); the pool replaces the connection on
its own. Other processes' changes are heard on a connection of its own (`postgres_listen.py`).
Migrations run under a `pg_advisory_lock`, so processes starting together migrate exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from .engine import (
    DiskFull,
    Fetching,
    Migration,
    Params,
    Query,
    Row,
    StoreError,
    StoreUnavailable,
)
from .migrate import migrate
from .postgres_dialect import PostgresDialect
from .postgres_listen import Listener
from .postgres_session import UNAVAILABLE, PostgresSession, fetch_batch, translated
from .urls import describe_url, is_postgres_url, mask_url, url_secrets

__all__ = ["PostgresDatabase", "PostgresDialect", "describe_url", "is_postgres_url", "mask_url"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any fixed 64-bit number of ours: the lock every process takes to migrate (and seed).
MIGRATION_LOCK = 0x05_7BA1_1AD0
POOL_MAX = 10
QUICK_POOL_MAX = 2  # connections for `write` (quiz answers, 0.2 ms each: two serve hundreds a second)
CONNECT_TIMEOUT = 10.0

# A pool that does not close in time (or whose server went away meanwhile) is terminated instead.
_CLOSE_FAILED: tuple[type[BaseException], ...] = (TimeoutError, *UNAVAILABLE)


class _PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg ships no type hints
    """A pool connection released without asyncpg's reset statement (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`, one more round trip per command: 0.3-0.5 ms of a 1-2 ms look-up). Nothing
    here leaves that state behind: no SET, no LISTEN (the listener has a connection of its own), cursors
    live inside transactions, and the one session-level advisory lock (migrations) is released in a
    `finally`. An open transaction is still rolled back on release (asyncpg always does that)."""

    def get_reset_query(self) -> str:
        return ""


class PostgresDatabase(Fetching):
    dialect = PostgresDialect()
    # Changes arrive as notifications at once; this slower look is the safety net (a notification
    # lost with a connection is also followed by a look as soon as the listener is back).
    look_every = 5.0

    def __init__(self, url: str, pool: asyncpg.Pool, quick: asyncpg.Pool) -> None:
        self.url = url
        self.label = mask_url(url)
        self._pool = pool
        self._quick = quick  # for `write` (quiz answers); no connection until the first
        self._closing: asyncio.Future[None] | None = None
        self._listener = Listener(url, CONNECT_TIMEOUT, lambda: self.closed)

    @classmethod
    async def open(cls, url: str, *, pool_max: int = POOL_MAX) -> PostgresDatabase:
        try:
            # min_size=0: no background task keeps a connection floor. asyncpg's (0.30+) retries every
            # second up to every minute while the server is down, logging a traceback each time;
            # connections are made when a command needs one instead (then "try again" while it is down).
            pool = await asyncpg.create_pool(url, min_size=0, max_size=pool_max, timeout=CONNECT_TIMEOUT,
                                             command_timeout=60, connection_class=_PooledConnection)
            try:
                async with pool.acquire():  # reachable now, or one clear error; the connection stays pooled
                    pass
                quick = await asyncpg.create_pool(url, min_size=0, max_size=QUICK_POOL_MAX, timeout=CONNECT_TIMEOUT,
                                                  command_timeout=60, connection_class=_PooledConnection,
                                                  server_settings={"synchronous_commit": "off"})
            except BaseException:
                pool.terminate()
                raise
        except (TimeoutError, OSError, asyncpg.PostgresError, socket.gaierror, ValueError) as exc:
            reason = str(exc).replace(url, mask_url(url)) or type(exc).__name__
            for secret in url_secrets(url):
                reason = reason.replace(secret, "***")
            raise StoreUnavailable(f"cannot reach PostgreSQL ({describe_url(url)}): {reason}") from None
        return cls(url, pool, quick)

    # -- sessions ----------------------------------------------------------------------------

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        if self.closed:
            raise StoreError("the store is closed")
        with translated():
            conn = await self._pool.acquire()
        try:
            yield conn
        finally:
            await self._pool.release(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresSession]:
        async with self._connection() as conn:
            with translated():
                transaction = conn.transaction(isolation="repeatable_read", readonly=True)
                await transaction.start()
            try:
                yield PostgresSession(conn)
            finally:
                with contextlib.suppress(*UNAVAILABLE):  # the connection may be gone, and its transaction with it
                    await transaction.rollback()  # read-only: nothing to keep

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresSession]:
        async with self._connection() as conn:
            with translated():
                transaction = conn.transaction()
                await transaction.start()
            try:
                yield PostgresSession(conn)
            except BaseException as exc:
                with contextlib.suppress(*UNAVAILABLE):  # the connection may be gone, and its transaction with it
                    await transaction.rollback()
                if isinstance(exc, asyncpg.exceptions.DiskFullError):
                    raise DiskFull("the PostgreSQL server's disk is full, so nothing was written: "
                                   "free some space on it, then try again") from exc
                raise
            else:
                with translated():
                    await transaction.commit()

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement in a transaction of its own (autocommit): one round trip, no BEGIN/COMMIT, on a
        connection of the quick pool, whose commits are asynchronous (`synchronous_commit = off`): it
        returns once the change is in the server's write-ahead log buffers, seen by every session,
        without waiting for the disk (0.36 -> 0.18 ms a write here). A crash of the bot cannot lose it;
        only a crash of the PostgreSQL server itself within its next log flush (at most three
        `wal_writer_delay`, 0.6 s by default) could, and that leaves the database consistent."""
        if self.closed:
            raise StoreError("the store is closed")
        with translated():
            conn = await self._quick.acquire()
        try:
            return await PostgresSession(conn).execute(sql, params)
        finally:
            await self._quick.release(conn)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._connection() as conn:
            return await PostgresSession(conn).fetch(sql, params)

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        # One statement: one snapshot, no transaction needed.
        async with self._connection() as conn:
            return await fetch_batch(conn, queries, ids)

    async def listen(self, channel: str, heard: Callable[[str | None], None]) -> None:
        """LISTEN on a connection of its own (not the pool's), reconnecting while the server is away;
        `heard(None)` after a reconnect: notifications may have been missed."""
        await self._listener.listen(channel, heard)

    async def stream(self, queries: Sequence[Query], consume: Callable[[list[Iterator[Row]]], T]) -> T:
        # Rows arrive on the event loop; they are read in one snapshot, then handed to the worker.
        async with self.read() as session:
            results = [await session.fetch(sql, params) for sql, params in queries]
        return await asyncio.to_thread(consume, [iter(rows) for rows in results])

    # -- schema -------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        async with self._connection() as conn:
            return await _schema_version(conn)

    async def migrate(self, migrations: list[Migration]) -> list[int]:
        return await migrate(_PostgresMigrator(self), migrations)

    async def tables(self) -> list[str]:
        rows = await self.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename NOT IN ('schema_migrations', 'song_search', 'song_cards') ORDER BY tablename")
        return [r[0] for r in rows]

    async def integrity_check(self) -> str:
        # PostgreSQL checks every constraint as it writes; what is left to ask is whether it answers.
        return "ok" if await self.fetchval("SELECT 1") == 1 else "no answer"

    # -- closing ------------------------------------------------------------------------------

    async def close(self) -> None:
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        await self._listener.close()
        for pool in (self._quick, self._pool):
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except _CLOSE_FAILED:
                pool.terminate()

    @property
    def closed(self) -> bool:
        return self._closing is not None


async def _schema_version(conn: asyncpg.Connection) -> int:
    with translated():
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            return 0
        return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


class _PostgresMigrator:
    """PostgreSQL's part of migrating (`migrate.Migrator`): a session-level `pg_advisory_lock` on one
    connection, so processes starting together migrate one after another (exactly once); the versions
    in `schema_migrations`; no backup (that is pg_dump's job)."""

    advice = "Upgrade the bot"
    errors: tuple[type[BaseException], ...] = (asyncpg.PostgresError,)

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db
        self.label = db.label
        self._conn: asyncpg.Connection | None = None  # the one holding the lock

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        async with self._db._connection() as conn:
            with translated():
                await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                with translated():
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                self._conn = conn
                yield
            finally:
                self._conn = None
                with translated():
                    await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    def _locked_connection(self) -> asyncpg.Connection:
        if self._conn is None:
            raise StoreError("migrations run inside `locked()`")
        return self._conn

    async def version(self) -> int:
        return await _schema_version(self._locked_connection())

    async def backup(self, version: int) -> None:
        return None

    async def apply(self, migration: Migration) -> None:
        conn = self._locked_connection()
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                               migration.version, migration.name)
