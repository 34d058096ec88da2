"""The engine interface: what repositories use, whichever database runs underneath.

Repositories are async methods over one small interface. A `Database` hands out two kinds of
session, both `Session`s:

- `db.read()`: a consistent snapshot for several queries (one read transaction);
- `db.transaction()`: one atomic write (committed when the block ends, rolled back if it raises).

`db.fetch`/`fetchrow`/`fetchval` are one-query reads of committed data. SQL is written once, with
`:name` (or `?`) parameters; the PostgreSQL engine rewrites those to `$n` (cached per statement).
What the two dialects spell differently lives in one `Dialect` per engine (`sqlite.py`,
`postgres_dialect.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Params = Mapping[str, Any] | Sequence[Any]
Query = tuple[str, Params]


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class SchemaTooNewError(StoreError):
    pass


class MigrationError(StoreError):
    pass


class DatabaseFault(StoreError):
    """The database file or its disk cannot be used (damaged, not a database, a folder, read-only);
    the message names the problem and what to do."""


class DiskFull(DatabaseFault):
    """A write found the disk full; nothing of it was kept."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached (or the connection broke mid-command): try again later."""


class Conflict(Exception):
    """A write broke a unique or foreign-key constraint (the caller decides what that means)."""


class Row(Protocol):
    """sqlite3.Row and asyncpg.Record alike: by position and by column name."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Fetching:
    """`fetchrow` and `fetchval` for anything with `fetch` (every session and database of both engines)."""

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        raise NotImplementedError

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        row = await self.fetchrow(sql, params)
        return default if row is None else row[0]


class Batches(Protocol):
    """Anything that reads a batch of queries in one snapshot: a session, a database, the store."""

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]: ...


class Session(Protocol):
    """A connection inside `read()` or `transaction()`. Writes are only valid in a transaction."""

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any: ...

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        """Several queries in one go (one trip to SQLite's thread, one statement on PostgreSQL).

        `ids`: a query of ids run once, first (its rows come first in the result); the other queries
        refer to its ids as the sub-query `dialect.batch_ids()` and take named parameters."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...


def ids_param(ids: Iterable[int]) -> str:
    """The JSON array parameter that `Dialect.ids` reads."""
    return json.dumps(list(ids))


class Dialect(Protocol):
    """The SQL fragments the engines spell differently. Every method returns SQL text.

    `SqliteDialect` and `PostgresDialect` match it structurally (neither inherits from it); their
    `name` and `after_bulk_write` are plain class attributes, read-only here."""

    @property
    def name(self) -> str:
        """"sqlite" or "postgres" (an entry of `connection.ENGINES`)."""
        ...

    @property
    def after_bulk_write(self) -> str:
        """A statement run after a big import (fresh planner statistics)."""
        ...

    def ids(self, param: str) -> str:
        """A sub-query of the integers in the JSON array parameter `param` (column `value`)."""
        ...

    def texts(self, param: str) -> str:
        """A sub-query of the strings in the JSON array parameter `param` (column `value`)."""
        ...

    def batch_ids(self) -> str:
        """In a `fetch_many(queries, ids=...)`: a sub-query of the ids its `ids` query read."""
        ...

    def artist_family(self, start: str) -> str:
        """A sub-query of the artist `start` (an SQL expression) and, through groups, its members and
        sub-units, all the way down."""
        ...

    def concat_agg(self, expr: str, sep: str, order: str) -> str:
        """`expr` of the rows concatenated with `sep`, in `order` (the sub-query's own order on SQLite)."""
        ...

    def contains(self, haystack: str, needle: str) -> str: ...

    def nocase(self, expr: str) -> str: ...

    def lock(self, key: int) -> str | None:
        """A statement that serialises the transactions running it with the same `key` (None: no need)."""
        ...

    def notify(self, channel: str) -> str | None:
        """A statement telling every process listening on `channel` (`:payload`) at commit, or None."""
        ...

    # -- full-text search (FTS5 on SQLite, tsvector on PostgreSQL) ---------------------------------

    def search_delete(self, ids: str) -> str:
        """Drop the search documents of the songs in the sub-query `ids`."""
        ...

    def search_insert(self, ids: str, titles: str, artists: str, drama: str, tags: str) -> str:
        """Index the songs `s` of the sub-query `ids`; the other arguments are SQL expressions over `s`."""
        ...

    def search_query(self, visible: str) -> str:
        """Songs (id, title, score) matching `:expr`, best first, `:limit` of them, passing `visible`."""
        ...

    def search_expression(self, words: Sequence[str]) -> str:
        """The `:expr` of `search_query` for these words: all required, the last a prefix."""
        ...


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


class Database(Protocol):
    """One engine's connections. Made by `SqliteDatabase.open` / `PostgresDatabase.open`."""

    @property
    def dialect(self) -> Dialect:
        """The engine's SQL spellings (read-only: a class attribute of each engine's database)."""
        ...

    label: str  # where it is, for messages (a path, or a URL with the password masked)
    look_every: float  # seconds between looks for other processes' changes

    async def listen(self, channel: str, heard: Callable[[str | None], None]) -> None:
        """Call `heard(payload)` for every notification on `channel` (None after a reconnect)."""
        ...

    def read(self) -> AbstractAsyncContextManager[Session]: ...

    def transaction(self) -> AbstractAsyncContextManager[Session]: ...

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement in a transaction of its own, by the engine's quickest path (for a write on a
        click's path); committed when it returns. The rows it changed."""
        ...

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any: ...

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        """Several queries of committed data, in one snapshot (`ids`: as `Session.fetch_many`)."""
        ...

    async def stream(self, queries: Sequence[Query], consume: Callable[[list[Iterator[Row]]], T]) -> T:
        """`consume(iterators)` in a worker thread, over the rows of each query (read in order, one
        snapshot), without every row being held at once."""
        ...

    async def schema_version(self) -> int: ...

    async def migrate(self, migrations: list[Migration]) -> list[int]: ...

    async def tables(self) -> list[str]:
        """Every table of ours (for counts, copies and content hashes), in name order."""
        ...

    async def integrity_check(self) -> str: ...

    async def close(self) -> None: ...

    @property
    def closed(self) -> bool: ...


# -- parameters ------------------------------------------------------------------------------

# A `:name` not preceded by another colon (PostgreSQL casts are `::type`), a `?`, or a quoted
# string/identifier (left alone).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(?<!:):([A-Za-z_][A-Za-z0-9_]*)|\?")


@dataclass(frozen=True, slots=True)
class NumberedSql:
    """A statement with `$1, $2 ...` placeholders and how to order its parameters."""

    sql: str
    names: tuple[str, ...] | None  # None: positional (`?`) parameters, already in order
    count: int

    def args(self, params: Params) -> list[Any]:
        if self.count == 0:
            return []
        if self.names is None:
            if isinstance(params, Mapping):
                raise TypeError("positional SQL needs a sequence of parameters")
            values = list(params)
            if len(values) != self.count:
                raise TypeError(f"{self.count} parameters expected, {len(values)} given")
            return values
        if not isinstance(params, Mapping):
            raise TypeError("named SQL needs a mapping of parameters")
        return [params[name] for name in self.names]


def number_parameters(sql: str) -> NumberedSql:
    """`:name` and `?` placeholders rewritten to `$n`; one `$n` per distinct name."""
    names: dict[str, int] = {}
    positional = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name is None:
            return token  # a quoted string or identifier
        if name not in names:
            names[name] = len(names) + 1
        return f"${names[name]}"

    out = _TOKEN.sub(replace, sql)
    if names and positional:
        raise ValueError("do not mix :name and ? parameters in one statement")
    return NumberedSql(out, tuple(names) if names else None, positional or len(names))
