"""Connections, transactions and forward-only schema migrations.

Two connections to one WAL database: a writer, serialised by a lock, that runs every write
inside `BEGIN IMMEDIATE ... COMMIT`, and a reader that sees only committed data. A crash at
any moment leaves the last committed state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^V(\d+)__([a-z0-9_]+)\.sql$")
BUSY_TIMEOUT_MS = 5000
T = TypeVar("T")


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class SchemaTooNewError(StoreError):
    pass


class MigrationError(StoreError):
    pass


Params = Mapping[str, Any] | Iterable[Any]


def _params(params: Params) -> Mapping[str, Any] | tuple[Any, ...]:
    """Named parameters stay a mapping; positional ones become a tuple."""
    return params if isinstance(params, Mapping) else tuple(params)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every shipped migration, in order; versions must run 1..N without gaps."""
    folder = resources.files("bot.store").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(f"migrations must be numbered 1..{len(found)} without gaps: "
                             f"{[m.version for m in found]}")
    return found


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")


class Store:
    """Owns the database. Create with `await Store.open(path)`; close with `await store.close()`."""

    # Every store not yet closed, so a test harness can close what a test left open
    # (an unclosed aiosqlite connection keeps its worker thread, and the interpreter, alive).
    open_stores: ClassVar[weakref.WeakSet[Store]] = weakref.WeakSet()

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._closing: asyncio.Future[None] | None = None  # set by the first close(): writes refused from then
        self._open_connections = [reader, writer]
        # Bumped after every write transaction (committed or not): read caches such as the
        # server settings are valid only while it stays the same.
        self.writes = 0
        # Reads of many small queries (hydrating a card) run as one plain-sqlite3 function on a
        # thread of their own: one thread hop instead of one per query (see `read_sync`).
        self._sync_reader: sqlite3.Connection | None = None
        self._read_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ost-read")
        from .additions_repo import AdditionsRepo
        from .catalog_repo import CatalogRepo
        from .guild_repo import GuildRepo
        from .meta_repo import MetaRepo
        from .quiz_repo import QuizRepo
        from .search_repo import SearchRepo

        self.meta = MetaRepo(self)
        self.catalog = CatalogRepo(self)
        self.guilds = GuildRepo(self)
        self.quiz = QuizRepo(self)
        self.search = SearchRepo(self)
        self.additions = AdditionsRepo(self)

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True,
                   migrations: list[Migration] | None = None) -> Store:
        path = Path(path)
        if str(path) == ":memory:":
            raise StoreError("the store needs a file (bulk writes open their own connection)")
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _configure(writer)
            mode = await (await writer.execute("PRAGMA journal_mode = WAL")).fetchone()
            log.debug("journal mode %s", mode[0] if mode else "?")
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader)
            store = cls(path, writer, reader)
        except BaseException:
            await writer.close()
            raise
        if migrate:
            try:
                await store.migrate(migrations)
            except BaseException:
                await store.close()
                raise
        return store

    async def close(self) -> None:
        """Refuse writes from now on, let a transaction in flight finish, close every connection (the
        last one checkpoints SQLite's write-ahead log).

        Closes once: concurrent and later calls wait for the same close. A caller cancelled meanwhile
        (a shutdown racing another) does not stop it half-way; and if the close itself is cancelled
        (asyncio.run cancels what is left at exit), every connection's thread is still told to stop:
        aiosqlite's threads are not daemons, and one left waiting keeps the process from exiting.
        """
        if self._closing is None:
            Store.open_stores.discard(self)
            self._closing = asyncio.ensure_future(self._close())
            self._closing.add_done_callback(self._stop_what_is_left)  # runs even if cancelled before it began
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        async with self._write_lock:
            while self._open_connections:
                await self._open_connections[0].close()
                self._open_connections.pop(0)
            await asyncio.get_running_loop().run_in_executor(self._read_thread, self._close_sync_reader)
            self._read_thread.shutdown(wait=True)

    def _stop_what_is_left(self, _closing: asyncio.Future[None]) -> None:
        for connection in self._open_connections:
            connection.stop()  # queued after any work in flight; the thread ends once it runs
        self._open_connections.clear()
        self._read_thread.shutdown(wait=False)

    def _close_sync_reader(self) -> None:
        if self._sync_reader is not None:
            self._sync_reader.close()
            self._sync_reader = None

    @property
    def closed(self) -> bool:
        return self._closing is not None

    # -- schema ------------------------------------------------------------------------

    async def schema_version(self) -> int:
        row = await (await self._writer.execute("PRAGMA user_version")).fetchone()
        return int(row[0])

    async def migrate(self, migrations: list[Migration] | None = None) -> list[int]:
        """Apply pending migrations in order, each in its own transaction. Returns those applied.

        `migrations` defaults to the shipped ones; tests pass their own to exercise the runner.
        """
        migrations = available_migrations() if migrations is None else migrations
        latest = migrations[-1].version if migrations else 0
        async with self._write_lock:
            current = await self.schema_version()
            if current > latest:
                raise SchemaTooNewError(
                    f"The database {self.path} has schema version {current}, but this version of the "
                    f"bot only knows versions up to {latest}. Upgrade the bot or use a backup; "
                    "nothing was changed.")
            pending = [m for m in migrations if m.version > current]
            if pending and current > 0:
                await self._backup_before_migration(current)
            applied = []
            for migration in pending:
                script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
                try:
                    await self._writer.executescript(script)
                except sqlite3.Error as exc:
                    if self._writer.in_transaction:
                        await self._writer.rollback()
                    raise MigrationError(
                        f"migration V{migration.version}__{migration.name} failed and was rolled back: {exc}"
                    ) from exc
                log.info("applied migration V%d__%s", migration.version, migration.name)
                applied.append(migration.version)
            return applied

    async def _backup_before_migration(self, version: int) -> None:
        target = self.path.with_name(f"{self.path.name}.v{version}.bak")
        await self.backup(target)
        log.info("backed up %s to %s before migrating from schema version %d", self.path, target, version)

    async def backup(self, target: Path | str) -> None:
        """SQLite online backup: a consistent copy, safe while the bot keeps writing."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        async with aiosqlite.connect(tmp) as dest:
            await self._writer.backup(dest)
        tmp.replace(target)

    # -- transactions and reads --------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic write: committed when the block ends, rolled back if it raises."""
        async with self._write_lock:
            if self.closed:
                raise StoreError("the store is closed")
            try:
                # BEGIN inside the try: if the caller is cancelled while BEGIN is queued, aiosqlite still
                # runs it, and the rollback (queued after it) must end that transaction.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._writer
            except BaseException:
                await self._writer.rollback()
                raise
            else:
                await self._writer.commit()
            finally:
                self.writes += 1

    async def write_sync(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(conn, *args)` in a worker thread, in one transaction, for bulk writes.

        Thousands of rows through aiosqlite cost a thread hop each; a plain sqlite3
        connection in a worker thread does them in one go. The write lock keeps it the only
        writer, and the event loop stays free meanwhile.
        """
        async with self._write_lock:
            if self.closed:
                raise StoreError("the store is closed")
            try:
                return await asyncio.to_thread(self._run_sync, work, args)
            finally:
                self.writes += 1

    def _plain_connection(self, *, read_only: bool) -> sqlite3.Connection:
        """A plain sqlite3 connection for worker threads (autocommit; transactions are explicit)."""
        conn = sqlite3.connect(self.path, isolation_level=None)  # used only by the thread that made it
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON" if read_only else "PRAGMA foreign_keys = ON")
        return conn

    def _run_sync(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._plain_connection(read_only=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn, *args)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return result
        finally:
            conn.close()

    async def read_sync(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(conn, *args)` on the store's read thread with a plain sqlite3 connection,
        in one read transaction (a consistent snapshot; WAL keeps writers free meanwhile).

        For reads made of many small queries: they cost one thread hop together.
        """
        if self.closed:
            raise StoreError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._read_thread, self._run_read, work, args)

    async def read_apart(self, work: Callable[..., T], *args: Any) -> T:
        """Run a long read `work(conn, *args)` in a worker thread on a connection of its own, in
        one read transaction: it holds up neither the event loop nor the card reads."""
        if self.closed:
            raise StoreError("the store is closed")
        return await asyncio.to_thread(self._run_apart, work, args)

    def _run_apart(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._plain_connection(read_only=True)
        try:
            conn.execute("BEGIN")
            return work(conn, *args)
        finally:
            conn.close()

    def _run_read(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        if self._sync_reader is None:
            self._sync_reader = self._plain_connection(read_only=True)
            self._sync_reader.row_factory = sqlite3.Row
        conn = self._sync_reader
        conn.execute("BEGIN")  # one snapshot for all of the function's queries
        try:
            return work(conn, *args)
        finally:
            conn.execute("COMMIT")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        # One trip to aiosqlite's thread (execute, fetch, close together): a third of the cost
        # of `async with execute(): fetchall()`, which makes three (see BENCHMARKS.md).
        return list(await self._reader.execute_fetchall(sql, _params(params)))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._reader.execute_fetchall(sql, _params(params))
        return next(iter(rows), None)

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        row = await self.fetchone(sql, params)
        return default if row is None else row[0]

    async def integrity_check(self) -> str:
        rows = await self.fetchall("PRAGMA integrity_check")
        return "; ".join(str(r[0]) for r in rows)

    async def content_hash(self) -> str:
        """A hash of every row of every table: proves a read-only command changed nothing."""
        import hashlib

        digest = hashlib.sha256()
        tables = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'song_search_%' ORDER BY name")
        for (name,) in tables:
            digest.update(name.encode())
            for row in await self.fetchall(f'SELECT * FROM "{name}" ORDER BY 1'):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

