"""The PostgreSQL engine (asyncpg): one connection pool shared by every repository.

Statements are written with `:name`/`?` parameters and numbered to `$n` once (cached). Writes run
in a transaction on one pooled connection; `read()` is a read-only REPEATABLE READ snapshot;
`fetch_many` sends a batch of queries as one statement (each query's rows as a JSON array). A
broken connection (the server restarted, `pg_terminate_backend`) surfaces as `StoreUnavailable`,
which the bot answers with "try again"; the pool replaces the connection on its own.
Migrations run under a `pg_advisory_lock`, so processes starting together migrate exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

import asyncpg

from .engine import (
    Conflict,
    DiskFull,
    Fetching,
    Migration,
    MigrationError,
    NumberedSql,
    Params,
    Query,
    Row,
    SchemaTooNewError,
    StoreError,
    StoreUnavailable,
    number_parameters,
)
from .urls import describe_url, is_postgres_url, mask_url, url_secrets

__all__ = ["PostgresDatabase", "PostgresDialect", "describe_url", "is_postgres_url", "mask_url"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any fixed 64-bit number of ours: the lock every process takes to migrate (and seed).
MIGRATION_LOCK = 0x05_7BA1_1AD0
POOL_MAX = 10
QUICK_POOL_MAX = 2  # connections for `write` (quiz answers, 0.2 ms each: two serve hundreds a second)
CONNECT_TIMEOUT = 10.0

# Errors meaning the connection or the server went away, not that the statement was wrong.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.CannotConnectNowError, ConnectionError, OSError, asyncio.TimeoutError,
)
# A pool that does not close in time (or whose server went away meanwhile) is terminated instead.
_CLOSE_FAILED: tuple[type[BaseException], ...] = (TimeoutError, *_UNAVAILABLE)
_SQL_CACHE: dict[str, NumberedSql] = {}


def _numbered(sql: str) -> NumberedSql:
    numbered = _SQL_CACHE.get(sql)
    if numbered is None:
        numbered = _SQL_CACHE[sql] = number_parameters(sql)
    return numbered


# A `$n` placeholder outside quoted strings and identifiers.
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\d+)")
BATCH_IDS = "batch_ids"  # the name of a batch's ids (a CTE), see PostgresDialect.batch_ids


@dataclass(frozen=True, slots=True)
class _Batch:
    """Several queries as one statement: each query's rows as one JSON array (a column each), so a
    card's dozen queries cost one round trip, and one statement is one snapshot without a transaction."""

    sql: str
    parts: tuple[NumberedSql, ...]

    def args(self, params: Sequence[Params]) -> list[Any]:
        return [a for part, p in zip(self.parts, params, strict=True) for a in part.args(p)]


_BATCH_CACHE: dict[tuple[str | None, tuple[str, ...]], _Batch] = {}


def _shifted(n: NumberedSql, offset: int) -> str:
    if not offset:
        return n.sql
    return _PLACEHOLDER.sub(lambda m: f"${int(m.group(1)) + offset}" if m.group(1) else m.group(0), n.sql)


def _batch(ids: str | None, queries: tuple[str, ...]) -> _Batch:
    key = (ids, queries)
    batch = _BATCH_CACHE.get(key)
    if batch is not None:
        return batch
    parts: list[NumberedSql] = []
    offset = 0

    def part(sql: str) -> str:
        nonlocal offset
        n = _numbered(sql)
        text = _shifted(n, offset)
        parts.append(n)
        offset += n.count
        return text

    prelude = ""
    columns = []
    if ids is not None:
        prelude = f"WITH {BATCH_IDS} AS MATERIALIZED ({part(ids)}) "
        columns.append(f"(SELECT coalesce(json_agg(q), '[]') FROM {BATCH_IDS} q)")
    columns += [f"(SELECT coalesce(json_agg(q), '[]') FROM ({part(sql)}) q)" for sql in queries]
    batch = _BATCH_CACHE[key] = _Batch(prelude + "SELECT " + ", ".join(columns), tuple(parts))
    return batch


class JsonRow:
    """A row of a batch (decoded from JSON): by position and by column name, like asyncpg's Record."""

    __slots__ = ("_index", "_values")
    _indexes: ClassVar[dict[tuple[str, ...], dict[str, int]]] = {}

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        names = tuple(name for name, _ in pairs)
        index = self._indexes.get(names)
        if index is None:
            index = self._indexes[names] = {name: i for i, name in reversed(list(enumerate(names)))}
        self._index = index
        self._values = tuple(value for _, value in pairs)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        names = sorted(self._index, key=self._index.__getitem__)  # the index holds each name's first column
        return f"JsonRow({dict(zip(names, self._values, strict=False))!r})"


def _json_rows(text: str) -> list[Row]:
    rows: list[Row] = json.loads(text, object_pairs_hook=JsonRow)  # a JSON array of objects: JsonRows
    return rows


async def _fetch_batch(conn: asyncpg.Connection, queries: Sequence[Query], ids: Query | None) -> list[list[Row]]:
    if ids is None and len(queries) == 1:
        n = _numbered(queries[0][0])
        with _translated():
            rows: list[Row] = await conn.fetch(n.sql, *n.args(queries[0][1]))  # asyncpg Records
            return [rows]
    batch = _batch(ids[0] if ids else None, tuple(sql for sql, _ in queries))
    params = [*([ids[1]] if ids else []), *(p for _, p in queries)]
    with _translated():
        row = await conn.fetchrow(batch.sql, *batch.args(params))
    assert row is not None
    return [_json_rows(value) for value in row]


def _status_count(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresDialect:
    name = "postgres"

    def ids(self, param: str) -> str:
        return f"SELECT ost_ids(:{param}) AS value"  # see migrations/postgres/V5__id_lists.sql

    def texts(self, param: str) -> str:
        return f"SELECT value FROM jsonb_array_elements_text(CAST(:{param} AS jsonb)) AS value"

    def batch_ids(self) -> str:
        return f"SELECT {BATCH_IDS}.* FROM {BATCH_IDS}"

    def artist_family(self, start: str) -> str:
        return f"SELECT ost_artist_family({start})"  # see migrations/postgres/V5__id_lists.sql

    def concat_agg(self, expr: str, sep: str, order: str) -> str:
        return f"string_agg({expr}, {sep} ORDER BY {order})"

    def contains(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle}) > 0"

    def nocase(self, expr: str) -> str:
        return f"lower({expr})"

    # -- full-text search (tsvector, weighted like the FTS5 columns) --------------------------

    def search_delete(self, ids: str) -> str:
        return f"DELETE FROM song_search WHERE song_id IN ({ids})"

    def search_insert(self, ids: str, titles: str, artists: str, drama: str, tags: str) -> str:
        def part(expr: str, weight: str) -> str:
            return f"setweight(to_tsvector('simple', coalesce({expr}, '')), '{weight}')"

        document = " || ".join((part(titles, "A"), part(artists, "B"), part(drama, "B"), part(tags, "C"),
                                part("s.description", "D")))
        return f"INSERT INTO song_search (song_id, document) SELECT s.id, {document} FROM songs s WHERE s.id IN ({ids})"

    def search_query(self, visible: str) -> str:
        return ("SELECT s.id, s.title, ts_rank(ss.document, q.query) AS score FROM song_search ss "
                "JOIN songs s ON s.id = ss.song_id CROSS JOIN (SELECT to_tsquery('simple', :expr) AS query) q "
                f"WHERE ss.document @@ q.query AND {visible} ORDER BY score DESC, s.id LIMIT :limit")

    @staticmethod
    def search_expression(words: Sequence[str]) -> str:
        """Every word a quoted lexeme (no user text becomes query syntax), all required, the last a prefix."""
        quoted = ["'" + w.replace("\\", "").replace("'", "''") + "'" for w in words]
        quoted[-1] += ":*"
        return " & ".join(quoted)

    after_bulk_write = "ANALYZE"

    def lock(self, key: int) -> str | None:
        """Held until the transaction ends, by one transaction at a time across every process."""
        return f"SELECT pg_advisory_xact_lock({int(key)})"

    def notify(self, channel: str) -> str | None:
        """Sent to every listening process when the transaction commits (never if it rolls back)."""
        return f"SELECT pg_notify('{channel}', CAST(:payload AS TEXT))"


class PostgresSession(Fetching):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        n = _numbered(sql)
        with _translated():
            rows: list[Row] = await self._conn.fetch(n.sql, *n.args(params))  # asyncpg Records
            return rows

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        return await _fetch_batch(self._conn, queries, ids)

    async def execute(self, sql: str, params: Params = ()) -> int:
        n = _numbered(sql)
        with _translated():
            return _status_count(await self._conn.execute(n.sql, *n.args(params)))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        n = _numbered(sql)
        args = [n.args(r) for r in rows]
        if args:
            with _translated():
                await self._conn.executemany(n.sql, args)


class _translated:
    """Constraint violations become `Conflict`; a lost connection becomes `StoreUnavailable`."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if exc is None:
            return False
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise Conflict(str(exc)) from exc
        if isinstance(exc, _UNAVAILABLE):
            raise StoreUnavailable(f"the database connection failed: {type(exc).__name__}") from exc
        return False


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
    RELISTEN_AFTER = 1.0  # then 2, 4 ... seconds while the server stays away
    RELISTEN_MAX = 30.0

    def __init__(self, url: str, pool: asyncpg.Pool, quick: asyncpg.Pool) -> None:
        self.url = url
        self.label = mask_url(url)
        self._pool = pool
        self._quick = quick  # for `write` (quiz answers); no connection until the first
        self._closing: asyncio.Future[None] | None = None
        self._channel = ""
        self._heard: Callable[[str | None], None] = lambda _payload: None
        self._listening: asyncpg.Connection | None = None
        self._relisten: asyncio.Task[None] | None = None
        self._relisten_delay = self.RELISTEN_AFTER

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
        with _translated():
            conn = await self._pool.acquire()
        try:
            yield conn
        finally:
            await self._pool.release(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresSession]:
        async with self._connection() as conn:
            with _translated():
                transaction = conn.transaction(isolation="repeatable_read", readonly=True)
                await transaction.start()
            try:
                yield PostgresSession(conn)
            finally:
                with contextlib.suppress(*_UNAVAILABLE):  # the connection may be gone, and its transaction with it
                    await transaction.rollback()  # read-only: nothing to keep

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresSession]:
        async with self._connection() as conn:
            with _translated():
                transaction = conn.transaction()
                await transaction.start()
            try:
                yield PostgresSession(conn)
            except BaseException as exc:
                with contextlib.suppress(*_UNAVAILABLE):  # the connection may be gone, and its transaction with it
                    await transaction.rollback()
                if isinstance(exc, asyncpg.exceptions.DiskFullError):
                    raise DiskFull("the PostgreSQL server's disk is full, so nothing was written: "
                                   "free some space on it, then try again") from exc
                raise
            else:
                with _translated():
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
        with _translated():
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
            return await _fetch_batch(conn, queries, ids)

    async def listen(self, channel: str, heard: Callable[[str | None], None]) -> None:
        """LISTEN on a connection of its own (not the pool's). Nothing waits on it: asyncpg calls back on
        a notification, and on the connection's end, which schedules a reconnect; after a reconnect
        `heard(None)` says that notifications may have been missed."""
        self._channel, self._heard = channel, heard
        if self._listening is None:
            await self._connect_listener(again=False)

    async def _connect_listener(self, *, again: bool) -> None:
        try:
            conn = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT)
            heard = self._heard
            await conn.add_listener(self._channel, lambda _conn, _pid, _channel, payload: heard(payload))
        except _UNAVAILABLE as exc:
            log.info("listening for changes: cannot connect (%s); trying again", type(exc).__name__)
            self._relisten_later()
            return
        if self.closed:
            conn.terminate()
            return
        conn.add_termination_listener(self._listener_lost)
        self._listening = conn
        self._relisten_delay = self.RELISTEN_AFTER
        if again:
            log.info("listening for changes again")
            self._heard(None)

    def _listener_lost(self, _conn: object) -> None:
        # INFO, not WARNING: it comes back by itself, and an outage is already one warning per command
        # that met it.
        self._listening = None
        if not self.closed:
            log.info("listening for changes: the connection was lost; reconnecting")
            self._relisten_later()

    def _relisten_later(self) -> None:
        delay = self._relisten_delay
        self._relisten_delay = min(2 * delay, self.RELISTEN_MAX)  # a long outage: fewer attempts

        async def relisten() -> None:
            await asyncio.sleep(delay)
            if not self.closed:
                await self._connect_listener(again=True)

        self._relisten = asyncio.get_running_loop().create_task(relisten(), name="ost-relisten")

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
        latest = migrations[-1].version if migrations else 0
        async with self._connection() as conn:
            with _translated():
                await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                with _translated():
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                current = await _schema_version(conn)
                if current > latest:
                    raise SchemaTooNewError(
                        f"The database {self.label} has schema version {current}, but this version of the bot "
                        f"only knows versions up to {latest}. Upgrade the bot; nothing was changed.")
                applied = []
                for migration in (m for m in migrations if m.version > current):
                    try:
                        async with conn.transaction():
                            await conn.execute(migration.sql)
                            await conn.execute(
                                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                migration.version, migration.name)
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(
                            f"migration V{migration.version}__{migration.name} failed and was rolled back: {exc}"
                        ) from exc
                    log.info("applied migration V%d__%s", migration.version, migration.name)
                    applied.append(migration.version)
                return applied
            finally:
                with _translated():
                    await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

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
        if self._relisten is not None:
            self._relisten.cancel()
            await asyncio.gather(self._relisten, return_exceptions=True)
        if self._listening is not None:
            self._listening.terminate()
            self._listening = None
        for pool in (self._quick, self._pool):
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except _CLOSE_FAILED:
                pool.terminate()

    @property
    def closed(self) -> bool:
        return self._closing is not None


async def _schema_version(conn: asyncpg.Connection) -> int:
    with _translated():
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            return 0
        return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))
