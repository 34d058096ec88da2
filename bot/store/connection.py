"""The store: one database (SQLite or PostgreSQL, see engine.py), its migrations and repositories.

`await Store.open(path_or_url)` picks the engine: a `postgresql://` URL opens PostgreSQL through
asyncpg, anything else is a SQLite file. The repositories and everything above them never know which.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from .engine import (
    Database,
    Migration,
    Params,
    Query,
    Row,
    Session,
    StoreError,
    StoreUnavailable,
)
from .migrate import available_migrations
from .song_cards import CARDS_LOCK, mark_stale
from .sqlite import SqliteDatabase
from .sqlite import fault as sqlite_fault
from .urls import check_url, describe_url, is_postgres_url, mask_url

log = logging.getLogger(__name__)

ENGINES = ("sqlite", "postgres")
# What other processes must hear about: the catalog (caches of look-ups, pools, the name index, cards,
# labels) and server settings. Each has a generation row in `meta`, bumped by every such write.
# A server's own catalog (its added and hidden songs) is told apart: 'generation:guilds' is bumped by
# each such write and `catalog_guild_changes` names the server, so only that server's caches go.
CHANGES = ("catalog", "settings")
_GENERATIONS = ("SELECT key, value FROM meta WHERE key IN "
                "('generation:catalog', 'generation:settings', 'generation:guilds')")
_GUILD_CHANGES = "SELECT guild_id, seq FROM catalog_guild_changes WHERE seq > :seen"
_GUILD_CHANGED = ("INSERT INTO catalog_guild_changes (guild_id, seq) VALUES (:guild, :seq) "
                  "ON CONFLICT (guild_id) DO UPDATE SET seq = excluded.seq")

_BUMP = ("INSERT INTO meta (key, value) VALUES (:key, '1') ON CONFLICT (key) DO UPDATE "
         "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT) RETURNING value")
CHANNEL = "ost_changes"


class Store:
    """Owns the database. Create with `await Store.open(path_or_url)`; close with `await store.close()`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.dialect
        self.engine = db.dialect.name
        self.path: Path | None = getattr(db, "path", None)
        # Bumped after every write transaction (committed or not), and when another process changed
        # server settings: read caches such as the server settings are valid only while it stays the same.
        self.writes = 0
        # Seeing other processes' writes: the generation values last seen, when to look again, and
        # whether a notification (PostgreSQL) asked to look now. This process's own notifications
        # carry its token and are ignored.
        self.token = uuid.uuid4().hex[:16]
        self._seen: dict[str, str | None] = {}
        self._next_look = 0.0
        self._look_now = False
        self._looking: asyncio.Future[None] | None = None  # the look at the generations under way, if any
        # Called when the catalog changed (a write of this process, or one of another process that
        # `refresh` saw) and when a notification came: the song card keeper (bot.app) is woken so.
        self.catalog_watchers: list[Callable[[], None]] = []
        self.notifications = 0  # heard from other processes (and reconnections of the listener)
        self._write_fault: Callable[[], Exception] | None = None  # see `fail_writes`
        self._changes: dict[int, dict[str, str]] = {}
        self._own_guild_changes: set[int] = set()  # seqs of this process's server writes, not yet seen by refresh
        from .additions_repo import AdditionsRepo
        from .catalog_repo import CatalogRepo
        from .daily_repo import DailyRepo
        from .fleet_repo import FleetRepo
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
        self.daily = DailyRepo(self)
        self.fleet = FleetRepo(self)

    @classmethod
    async def open(cls, target: Path | str, *, migrate: bool = True,
                   migrations: list[Migration] | None = None) -> Store:
        """A SQLite file, or a PostgreSQL database when `target` is a postgresql:// URL."""
        if is_postgres_url(target):
            check_url(str(target))  # one line saying what is wrong, never the URL
            from .postgres import PostgresDatabase  # asyncpg is imported only for PostgreSQL

            db: Database = await PostgresDatabase.open(str(target))
        else:
            db = await SqliteDatabase.open(Path(target))
        store = cls(db)
        if migrate:
            try:
                await store.migrate(migrations)
            except BaseException as exc:
                await store.close()
                if isinstance(exc, sqlite3.Error) and store.path and (found := sqlite_fault(exc, store.path)):
                    raise found from None  # a damaged file: one line saying so
                raise
        if migrate or await store.schema_version() > 0:
            await store.refresh(force=True, quiet=True)
        return store

    async def close(self) -> None:
        """Refuse writes from now on, let a transaction in flight finish, close every connection.
        Closes once; concurrent and later calls wait for the same close."""
        await self.db.close()

    @property
    def closed(self) -> bool:
        return self.db.closed

    @property
    def label(self) -> str:
        """Where the data lives, safe to print (a PostgreSQL password is masked)."""
        return self.db.label

    # -- schema ------------------------------------------------------------------------

    async def schema_version(self) -> int:
        return await self.db.schema_version()

    async def migrate(self, migrations: list[Migration] | None = None) -> list[int]:
        """Apply pending migrations in order, each in its own transaction. Returns those applied.

        `migrations` defaults to the shipped ones of this engine; tests pass their own.
        """
        if migrations is not None:
            return await self.db.migrate(migrations)
        had_schema = await self.db.schema_version() > 0
        applied = await self.db.migrate(available_migrations(self.engine))
        if applied and had_schema:
            # A migration may change what the catalog holds: derived data (the song cards' documents,
            # every process's caches) is built again, as after any catalog write. (A new database
            # has none, and stays empty until seeded: `db copy` wants an empty target.)
            async with self.transaction() as tx:
                await self.changed(tx, "catalog")
        return applied

    async def backup(self, target: Path | str) -> None:
        """A consistent copy of a SQLite database, safe while the bot keeps writing."""
        if not isinstance(self.db, SqliteDatabase):
            raise StoreError(pg_dump_hint(self.label))
        await self.db.backup(target)

    # -- transactions and reads --------------------------------------------------------

    def fail_writes(self, error: Callable[[], Exception] | None) -> None:
        """Fault injection (tests and drills): while set, every write (`transaction`, `append`) raises
        `error()` before it reaches the database, as a full disk or a read-only file would; reads go on.
        None: writes work again."""
        self._write_fault = error

    def _injected_fault(self) -> None:
        if self._write_fault is not None:
            raise self._write_fault()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """One atomic write: committed when the block ends, rolled back if it raises."""
        self._injected_fault()
        changes: dict[str, str] = {}
        try:
            async with self.db.transaction() as tx:
                self._changes[id(tx)] = changes
                try:
                    yield tx
                finally:
                    self._changes.pop(id(tx), None)
            for what, value in changes.items():  # committed: this process knows, others are told
                if what.startswith("guild:"):  # other processes' server changes may come before it
                    self._own_guild_changes.add(int(value))
                else:
                    self._seen[what] = value
                self._apply(what)
        finally:
            self.writes += 1

    async def append(self, sql: str, params: Params = ()) -> int:
        """One statement in a transaction of its own, by the engine's quickest path (`Database.write`),
        for a row written on a click's path that no cache of this process reads (a quiz answer): it
        leaves `writes`, and so the server-settings cache, alone. The rows it changed."""
        self._injected_fault()
        return await self.db.write(sql, params)

    # -- other processes' writes -------------------------------------------------------

    async def changed(self, tx: Session, what: str, *, cards: bool = True) -> None:
        """Inside a write transaction: it changes `what` (one of CHANGES). Its generation row is bumped
        in the same transaction, and on PostgreSQL a NOTIFY (sent at commit) tells every process.
        A catalog write also makes the song cards' documents stale ('generation:cards'), unless it
        changes no card (`cards=False`). A server's own songs are `guild_changed`, not this."""
        value = await tx.fetchval(_BUMP, {"key": f"generation:{what}"})
        if what == "catalog" and cards:
            await tx.fetchval(_BUMP, {"key": "generation:cards"})
        if notify := self.dialect.notify(CHANNEL):
            await tx.execute(notify, {"payload": f"{self.token} {what}"})
        self._changes[id(tx)][what] = value

    async def guild_changed(self, tx: Session, guild_id: int, song_ids: Sequence[int] = ()) -> None:
        """Inside a write transaction: it changes one server's own catalog (its songs, or the shared
        songs it hides). Only that server's caches are dropped, here and in every process; the shared
        name index and the other servers' caches stay. The card documents of `song_ids` (the songs
        written or removed) are marked stale for the keeper (`song_cards.mark_stale`); every other card
        stays current."""
        if song_ids and (lock := self.dialect.lock(CARDS_LOCK)):
            # Before the bump: the card keeper, holding it, either wrote its documents before this
            # write (which then marks them stale), or sees the bump after it and marks them itself.
            await tx.execute(lock)
        seq = await tx.fetchval(_BUMP, {"key": "generation:guilds"})
        await tx.execute(_GUILD_CHANGED, {"guild": guild_id, "seq": int(seq)})
        if song_ids:
            await mark_stale(tx, self.dialect, song_ids)
        if notify := self.dialect.notify(CHANNEL):
            await tx.execute(notify, {"payload": f"{self.token} guild"})
        self._changes[id(tx)][f"guild:{guild_id}"] = str(seq)

    def _apply(self, what: str) -> None:
        if what.startswith("guild:"):
            self.catalog.guild_changed(int(what.split(":", 1)[1]))
            self._catalog_moved()
        elif what == "catalog":
            self.catalog.shared_changed()
            self._catalog_moved()
        else:
            self.writes += 1

    async def refresh(self, *, force: bool = False, quiet: bool = False) -> None:
        """Drop the caches another process's writes made stale. Cheap: one small read at most every
        `db.look_every` seconds of the event loop's clock, or at once after a notification. Called
        before serving each interaction, so what another process wrote is seen within a second.

        A caller that arrives while another caller's look is under way waits for that look: returning at
        once would serve its interaction from the caches that look is about to drop (the song card keeper
        looks as soon as a notification comes, so a command right after one would otherwise race it)."""
        if self._looking is not None:
            await asyncio.shield(self._looking)
            if not force:
                return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not (force or self._look_now or now >= self._next_look) or self.closed:
            return
        self._look_now = False
        self._next_look = now + self.db.look_every
        self._looking = looking = loop.create_future()
        try:
            # Batches of one: on SQLite they are read on the event loop's thread (two small rows), so the
            # interaction that happens to look pays no trip to a reader's thread (benchmarks.noisy).
            [rows] = await self.fetch_many([(_GENERATIONS, ())])
            values = {r[0].split(":", 1)[1]: r[1] for r in rows}
            guilds = values.get("guilds")
            changed = [] if quiet or guilds == self._seen.get("guilds") else (await self.fetch_many(
                [(_GUILD_CHANGES, {"seen": int(self._seen.get("guilds") or 0)})]))[0]
        except StoreUnavailable:  # the database is away: the answer will say so; look again next time
            self._look_now = True
            return
        finally:
            self._looking = None
            looking.set_result(None)
        for guild_id, seq in changed:  # only these servers' caches go (this process's writes are known)
            if seq not in self._own_guild_changes:
                self._apply(f"guild:{guild_id}")
        if changed or quiet:
            self._own_guild_changes.clear()
        self._seen["guilds"] = guilds
        for what in CHANGES:
            if self._seen.get(what) != values.get(what):
                self._seen[what] = values.get(what)
                if not quiet:
                    log.debug("%s changed in another process: caches dropped", what)
                    self._apply(what)

    def heard(self, payload: str | None) -> None:
        """A notification from another process (None: the listening connection was lost and is back,
        so anything may have changed meanwhile): look at the generations before the next answer."""
        if payload is None or not payload.startswith(self.token):
            self._look_now = True
            self.notifications += 1
            self._catalog_moved()  # the keeper looks at once (no interaction may come to look)

    def _catalog_moved(self) -> None:
        for watcher in self.catalog_watchers:
            watcher()

    async def listen(self) -> None:
        """Hear other processes' changes as they commit (PostgreSQL's LISTEN); a no-op on SQLite, where
        `refresh` looks often enough."""
        await self.db.listen(CHANNEL, self.heard)

    def read(self) -> AbstractAsyncContextManager[Session]:
        """A consistent snapshot for several queries."""
        return self.db.read()

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return await self.db.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        return await self.db.fetchrow(sql, params)

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        return await self.db.fetchval(sql, params, default)

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        return await self.db.fetch_many(queries, ids)

    async def integrity_check(self) -> str:
        return await self.db.integrity_check()

    async def tables(self) -> list[str]:
        return await self.db.tables()

    async def table_counts(self) -> dict[str, int]:
        return {t: await self.fetchval(f'SELECT count(*) FROM "{t}"', (), 0) for t in await self.tables()}

    async def content_hash(self) -> str:
        """A hash of every row of every table: proves a read-only command changed nothing."""
        digest = hashlib.sha256()
        for name in await self.tables():
            digest.update(name.encode())
            # Sorted here, not by the database: PostgreSQL returns rows that tie on ORDER BY in any
            # order, and a hash of the same rows must not change with it.
            for text in sorted(repr(tuple(row)) for row in await self.fetch(f'SELECT * FROM "{name}"')):
                digest.update(text.encode())
        return digest.hexdigest()


def pg_dump_hint(label: str) -> str:
    return ("`db backup` copies SQLite files only; back up PostgreSQL with its own tool: "
            f"pg_dump --format=custom --file=ost.dump '{label}' (the password from PGPASSWORD or ~/.pgpass)")


__all__ = ["ENGINES", "Store", "StoreError", "available_migrations", "describe_url", "mask_url"]

