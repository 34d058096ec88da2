"""The SQLite engine (aiosqlite): one writer, a small pool of readers, one WAL file.

The writer runs every write inside `BEGIN IMMEDIATE ... COMMIT`, one transaction at a time; readers
see only committed data. A crash at any moment leaves the last committed state. Each aiosqlite
connection has a thread of its own; a session's `fetch_many` and `stream` run their whole work in
one trip to that thread (aiosqlite's `_execute`, pinned by the version range in pyproject.toml).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from .engine import (
    Conflict,
    DatabaseFault,
    DiskFull,
    Fetching,
    Migration,
    Params,
    Query,
    Row,
    StoreError,
)
from .migrate import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
READERS = 2  # a long read (building the name index) leaves a reader for look-ups
BATCH_IDS = "batch_ids"  # the parameter carrying a batch's ids to its other queries
T = TypeVar("T")


def _params(params: Params) -> Mapping[str, Any] | tuple[Any, ...]:
    return params if isinstance(params, Mapping) else tuple(params)


def _with_batch_ids(params: Params, found: str) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise TypeError("the queries of a batch with ids take named parameters")
    return {**params, BATCH_IDS: found}


def _batch(queries: Sequence[Query], ids: Query | None) -> Callable[[sqlite3.Connection], list[list[Row]]]:
    """The work of `fetch_many` on a connection: one snapshot (a read transaction of its own, unless
    the connection is already in one); `ids` first, its ids handed to the others as a parameter."""
    def work(raw: sqlite3.Connection) -> list[list[Row]]:
        begin = not raw.in_transaction
        if begin:
            raw.execute("BEGIN")
        try:
            if ids is None:
                return [raw.execute(sql, _params(p)).fetchall() for sql, p in queries]
            first = raw.execute(ids[0], _params(ids[1])).fetchall()
            found = json.dumps([r[0] for r in first])
            return [first, *(raw.execute(sql, _with_batch_ids(p, found)).fetchall() for sql, p in queries)]
        finally:
            if begin:
                raw.execute("COMMIT")

    return work


class SqliteDialect:
    name = "sqlite"

    def ids(self, param: str) -> str:
        return f"SELECT value FROM json_each(:{param})"

    texts = ids

    def batch_ids(self) -> str:
        return f"SELECT value FROM json_each(:{BATCH_IDS})"

    def artist_family(self, start: str) -> str:
        return (f"WITH RECURSIVE who(id) AS (SELECT {start} UNION SELECT ag.member_id FROM artist_groups ag "
                "JOIN who ON ag.group_id = who.id) SELECT id FROM who")

    def concat_agg(self, expr: str, sep: str, order: str) -> str:
        return f"group_concat({expr}, {sep})"  # the sub-query's ORDER BY orders it

    def contains(self, haystack: str, needle: str) -> str:
        return f"instr({haystack}, {needle}) > 0"

    def nocase(self, expr: str) -> str:
        return f"{expr} COLLATE NOCASE"

    # -- full-text search (FTS5) ---------------------------------------------------------------

    def search_delete(self, ids: str) -> str:
        return f"DELETE FROM song_search WHERE rowid IN ({ids})"

    def search_insert(self, ids: str, titles: str, artists: str, drama: str, tags: str) -> str:
        return ("INSERT INTO song_search (rowid, title, artists, drama, description, tags) "
                f"SELECT s.id, {titles}, {artists}, {drama}, s.description, {tags} FROM songs s WHERE s.id IN ({ids})")

    def search_query(self, visible: str) -> str:
        return ("SELECT s.id, s.title, -bm25(song_search, 10.0, 6.0, 6.0, 1.0, 2.0) AS score "
                "FROM song_search JOIN songs s ON s.id = song_search.rowid "
                f"WHERE song_search MATCH :expr AND {visible} ORDER BY score DESC LIMIT :limit")

    @staticmethod
    def search_expression(words: Sequence[str]) -> str:
        """Every word quoted (no user text becomes FTS syntax), all required, the last a prefix."""
        quoted = [f'"{w.replace(chr(34), "")}"' for w in words]
        quoted[-1] += "*"
        return " ".join(quoted)

    after_bulk_write = "PRAGMA optimize"  # fresh statistics keep plans index-driven

    def lock(self, key: int) -> str | None:
        """A statement that makes the transaction the only one holding `key`; none needed on SQLite,
        whose write transactions (BEGIN IMMEDIATE) already exclude each other."""
        return None

    def notify(self, channel: str) -> str | None:
        return None


class SqliteSession(Fetching):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn

        def call() -> T:
            try:
                return work(conn._conn)
            except sqlite3.IntegrityError as exc:
                raise Conflict(str(exc)) from exc

        # aiosqlite's `_execute(fn)` (untyped): run `fn()` on the connection's thread, await its result.
        execute: Callable[[Callable[[], T]], Awaitable[T]] = conn._execute
        return await execute(call)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        # One trip to the thread (execute, fetch, close together).
        return await self._run(lambda raw: raw.execute(sql, _params(params)).fetchall())

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        """Every query in one trip to the thread, and in one snapshot (inside a read transaction of its
        own, unless the session is already in a transaction). `ids` is run first, once, and its ids
        handed to the others as a parameter (what `batch_ids()` reads)."""
        return await self._run(_batch(queries, ids))

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._run(lambda raw: raw.execute(sql, _params(params)).rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        rows = [_params(r) for r in rows]
        if rows:
            await self._run(lambda raw: raw.executemany(sql, rows))


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "query_only = ON" if read_only else "foreign_keys = ON",
                       "synchronous = NORMAL"):
            await conn.execute_fetchall(f"PRAGMA {pragma}")  # fetched: a statement left open holds a lock
    except BaseException:
        await conn.close()
        raise
    return conn


def _connect_inline(path: Path, *, writer: bool = False) -> sqlite3.Connection:
    """A connection used on the event loop's thread, which never waits for a lock: the reader of
    `SqliteDatabase.fetch_many`, or (`writer`) the one of `SqliteDatabase.write`. The writer never
    checkpoints the write-ahead log (a checkpoint syncs to disk): the threaded writer's commits do."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        pragmas = ("foreign_keys = ON", "synchronous = NORMAL", "wal_autocheckpoint = 0") if writer else \
            ("query_only = ON",)
        for pragma in ("busy_timeout = 0", *pragmas):
            conn.execute(f"PRAGMA {pragma}").fetchall()
    except BaseException:
        conn.close()
        raise
    return conn


def fault(exc: BaseException, path: Path) -> DatabaseFault | None:
    """The one line to say for an SQLite error about the file or its disk, or None for any other."""
    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in text:
        return DiskFull(f"the disk holding {path} is full, so nothing was written: free some space, then try again")
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return DatabaseFault(f"{path} is read-only: make the file and its folder writable by the bot's user, "
                             "or set OST_DATABASE_PATH to a writable place")
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in text or "malformed" in text:
        return DatabaseFault(f"{path} is not a usable SQLite database (damaged, or another kind of file): "
                             "restore it from a backup (`ostbot db backup` makes them), or set OST_DATABASE_PATH "
                             "to another file")
    if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        what = "is a folder, not a file" if path.is_dir() else "cannot be opened"
        return DatabaseFault(f"{path} {what}: set OST_DATABASE_PATH to a database file in a folder the bot's "
                             "user can write")
    return None


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or \
        "locked" in str(exc) or "busy" in str(exc)


class SqliteDatabase(Fetching):
    dialect = SqliteDialect()
    # Another process (`ostbot db import`) may write the same file: its changes are looked for this
    # often, by reading two small rows before an answer (SQLite has no notifications).
    look_every = 0.5

    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection],
                 inline: sqlite3.Connection, inline_writer: sqlite3.Connection) -> None:
        self.path = path
        self.label = str(path)
        self._writer = writer
        # Last in, first out: one after another, look-ups all take the same reader, whose page cache
        # (and thread) stays warm; the other one serves only reads that overlap (the index build).
        # Taking turns (a FIFO queue) made every card read about 0.5 ms slower at 50,000 songs.
        self._readers: asyncio.LifoQueue[aiosqlite.Connection] = asyncio.LifoQueue()
        for reader in readers:
            self._readers.put_nowait(reader)
        self._connections = [*readers, writer]
        # Batches (`fetch_many`: a card's dozen index-driven queries, 0.1-0.5 ms) are read on the event
        # loop's own thread: a trip to a reader's thread and back cost as much again (at 50,000 songs /ost
        # fell from 14-18x the floor to 11-12x). Long reads (streams, scans) keep to the threads. It never
        # waits for a lock: when busy (rare in WAL mode) the batch takes the threaded path instead.
        self._inline = inline
        # Single-statement writes on a click's path (`write`: a quiz answer) are made on the loop's thread
        # too, when the threaded writer is idle: 0.03 ms instead of two thread trips and BEGIN/COMMIT.
        self._inline_writer = inline_writer
        self._write_lock = asyncio.Lock()
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> SqliteDatabase:
        path = Path(path)
        if str(path) == ":memory:":
            raise StoreError("the store needs a file (its readers and writer are connections of their own)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseFault(f"the folder of {path} cannot be made ({exc.strerror}): set OST_DATABASE_PATH "
                                "to a database file in a folder the bot's user can write") from None
        if path.is_dir():
            raise DatabaseFault(f"{path} is a folder, not a file: set OST_DATABASE_PATH to a database file")
        opened: list[aiosqlite.Connection] = []
        try:
            writer = await _connect(path, read_only=False)
            opened.append(writer)
            await writer.execute_fetchall("PRAGMA journal_mode = WAL")
            for _ in range(READERS):
                opened.append(await _connect(path, read_only=True))
            inline = _connect_inline(path)
            try:
                inline_writer = _connect_inline(path, writer=True)
            except BaseException:
                inline.close()
                raise
        except BaseException as exc:
            for conn in opened:
                await conn.close()
            if isinstance(exc, sqlite3.Error) and (found := fault(exc, path)) is not None:
                raise found from None
            raise
        return cls(path, writer, opened[1:], inline, inline_writer)

    # -- sessions ----------------------------------------------------------------------------

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        if self.closed:
            raise StoreError("the store is closed")
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteSession]:
        """A reader for several queries. Each `fetch_many` is one snapshot (and one trip to the thread);
        no transaction is held open between calls, so a read costs no extra BEGIN/COMMIT trips."""
        async with self._reader() as conn:
            yield SqliteSession(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteSession]:
        async with self._write_lock:
            if self.closed:
                raise StoreError("the store is closed")
            try:
                # BEGIN inside the try: if the caller is cancelled while BEGIN is queued, aiosqlite still
                # runs it, and the rollback (queued after it) must end that transaction.
                await self._writer.execute_fetchall("BEGIN IMMEDIATE")
                yield SqliteSession(self._writer)
                await self._writer.commit()
            except BaseException as exc:
                await self._writer.rollback()
                if isinstance(exc, sqlite3.Error) and (found := fault(exc, self.path)) is not None:
                    raise found from exc
                raise

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement, atomic by itself (SQLite's autocommit), on the event loop's thread while the
        threaded writer is idle: it never waits for a lock; busy (a transaction of this process or another
        one's), it waits its turn as a transaction on the writer's thread. Committed (in the write-ahead
        log) when it returns, so a crash of the process a moment later keeps it."""
        if self.closed:
            raise StoreError("the store is closed")
        if not self._write_lock.locked():
            try:
                return self._inline_writer.execute(sql, _params(params)).rowcount
            except sqlite3.IntegrityError as exc:
                raise Conflict(str(exc)) from exc
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._reader() as conn:
            return list(await conn.execute_fetchall(sql, _params(params)))

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        if self.closed:
            raise StoreError("the store is closed")
        work = _batch(queries, ids)
        try:
            return work(self._inline)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        async with self._reader() as conn:  # busy: wait for it on a thread, not on the event loop
            return await SqliteSession(conn)._run(work)

    async def listen(self, channel: str, heard: Callable[[str | None], None]) -> None:
        return None  # nothing to listen to: `look_every` covers it

    async def stream(self, queries: Sequence[Query], consume: Callable[[list[Iterator[Row]]], T]) -> T:
        def work(raw: sqlite3.Connection) -> T:
            raw.execute("BEGIN")
            try:
                return consume([raw.execute(sql, _params(p)) for sql, p in queries])
            finally:
                raw.execute("COMMIT")

        async with self._reader() as conn:
            return await SqliteSession(conn)._run(work)

    # -- schema -------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        rows = await self._writer.execute_fetchall("PRAGMA user_version")
        return int(next(iter(rows))[0])

    async def migrate(self, migrations: list[Migration]) -> list[int]:
        """Apply pending migrations in order, each in its own transaction; a backup first when the
        database already has data."""
        return await migrate(_SqliteMigrator(self), migrations)

    async def backup(self, target: Path | str) -> None:
        """SQLite online backup: a consistent copy, safe while the bot keeps writing."""
        async with self._write_lock:
            await self._backup(Path(target))

    async def _backup(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        async with aiosqlite.connect(tmp) as dest:
            await self._writer.backup(dest)
        tmp.replace(target)

    async def tables(self) -> list[str]:
        rows = await self.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'song_search%' AND name <> 'song_cards' ORDER BY name")
        return [r[0] for r in rows]

    async def integrity_check(self) -> str:
        rows = await self.fetch("PRAGMA integrity_check")
        return "; ".join(str(r[0]) for r in rows)

    # -- closing ------------------------------------------------------------------------------

    async def close(self) -> None:
        """Refuse writes from now on, let a transaction in flight finish, close every connection (the
        last one checkpoints SQLite's write-ahead log).

        Closes once: concurrent and later calls wait for the same close. A caller cancelled meanwhile
        (a shutdown racing another) does not stop it half-way; and if the close itself is cancelled
        (asyncio.run cancels what is left at exit), every connection's thread is still told to stop:
        aiosqlite's threads are not daemons, and one left waiting keeps the process from exiting.
        """
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())
            self._closing.add_done_callback(self._stop_what_is_left)  # runs even if cancelled before it began
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        async with self._write_lock:
            for _ in range(READERS):  # wait for reads in flight to hand their connection back
                await self._readers.get()
            self._inline.close()
            self._inline_writer.close()
            while self._connections:
                await self._connections[0].close()
                self._connections.pop(0)

    def _stop_what_is_left(self, _closing: asyncio.Future[None]) -> None:
        for connection in self._connections:
            connection.stop()  # queued after any work in flight; the thread ends once it runs
        self._connections.clear()

    @property
    def closed(self) -> bool:
        return self._closing is not None


class _SqliteMigrator:
    """SQLite's part of migrating (`migrate.Migrator`): the writer's lock, the version in `PRAGMA
    user_version`, a backup next to the file (`ost.db.v{n}.bak`) before an existing database changes, and
    each migration run with its version as one `BEGIN IMMEDIATE ... COMMIT` script."""

    advice = "Upgrade the bot or use a backup"
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self.label = db.label

    def locked(self) -> asyncio.Lock:
        return self._db._write_lock

    async def version(self) -> int:
        return await self._db.schema_version()

    async def backup(self, version: int) -> None:
        path = self._db.path
        target = path.with_name(f"{path.name}.v{version}.bak")
        await self._db._backup(target)
        log.info("backed up %s to %s before migrating from schema version %d", path, target, version)

    async def apply(self, migration: Migration) -> None:
        writer = self._db._writer
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            await writer.executescript(script)
        except sqlite3.Error:
            if writer.in_transaction:
                await writer.rollback()
            raise
