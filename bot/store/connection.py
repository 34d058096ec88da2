"""The store: one database (SQLite or PostgreSQL, see engine.py), its migrations and repositories.

`await Store.open(path_or_url)` picks the engine: a `postgresql://` URL opens PostgreSQL through
asyncpg, anything else is a SQLite file. The repositories and everything above them never know which.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from .engine import Database, Migration, MigrationError, Params, Row, Session, StoreError
from .sqlite import SqliteDatabase
from .urls import describe_url, is_postgres_url, mask_url

_MIGRATION_NAME = re.compile(r"^V(\d+)__([a-z0-9_]+)\.sql$")
ENGINES = ("sqlite", "postgres")


def available_migrations(engine: str = "sqlite") -> list[Migration]:
    """Every shipped migration of one engine, in order; versions must run 1..N without gaps."""
    folder = resources.files("bot.store").joinpath("migrations", engine)
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


class Store:
    """Owns the database. Create with `await Store.open(path_or_url)`; close with `await store.close()`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.dialect
        self.engine = db.dialect.name
        self.path: Path | None = getattr(db, "path", None)
        # Bumped after every write transaction (committed or not): read caches such as the
        # server settings are valid only while it stays the same.
        self.writes = 0
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
    async def open(cls, target: Path | str, *, migrate: bool = True,
                   migrations: list[Migration] | None = None) -> Store:
        """A SQLite file, or a PostgreSQL database when `target` is a postgresql:// URL."""
        if is_postgres_url(target):
            from .postgres import PostgresDatabase  # asyncpg is imported only for PostgreSQL

            db: Database = await PostgresDatabase.open(str(target))
        else:
            db = await SqliteDatabase.open(Path(target))
        store = cls(db)
        if migrate:
            try:
                await store.migrate(migrations)
            except BaseException:
                await store.close()
                raise
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
        return await self.db.migrate(available_migrations(self.engine) if migrations is None else migrations)

    async def backup(self, target: Path | str) -> None:
        """A consistent copy of a SQLite database, safe while the bot keeps writing."""
        if not isinstance(self.db, SqliteDatabase):
            raise StoreError(pg_dump_hint(self.label))
        await self.db.backup(target)

    # -- transactions and reads --------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """One atomic write: committed when the block ends, rolled back if it raises."""
        try:
            async with self.db.transaction() as tx:
                yield tx
        finally:
            self.writes += 1

    def read(self) -> Any:
        """A consistent snapshot for several queries."""
        return self.db.read()

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return await self.db.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        return await self.db.fetchrow(sql, params)

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        return await self.db.fetchval(sql, params, default)

    async def fetch_many(self, queries: list[tuple[str, Params]]) -> list[list[Row]]:
        return await self.db.fetch_many(queries)

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
            for row in await self.fetch(f'SELECT * FROM "{name}" ORDER BY 1'):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()


def pg_dump_hint(label: str) -> str:
    return ("`db backup` copies SQLite files only; back up PostgreSQL with its own tool: "
            f"pg_dump --format=custom --file=ost.dump '{label}' (the password from PGPASSWORD or ~/.pgpass)")


__all__ = ["ENGINES", "Store", "StoreError", "available_migrations", "describe_url", "mask_url"]

