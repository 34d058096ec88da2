"""`ostbot db copy --to postgresql://...`: move a bot's SQLite database to an empty PostgreSQL one.

Everything is copied in one PostgreSQL transaction (server catalogs, hidden songs, settings, scores,
quiz history, daily posts, bookkeeping such as the command hash), then the row counts are compared
table by table before it commits: interrupted at any point, the target holds no data. The source is
opened without migrating and only read. A target holding any row is refused before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog_writes import Writer
from .connection import Store, available_migrations
from .engine import StoreError

# Parents before children (foreign keys). Every table of the schema must be listed: a table the
# copy does not know is refused rather than left behind.
TABLES = (
    "meta", "sources", "dramas", "drama_names", "artists", "artist_names", "artist_groups", "songs",
    "song_titles", "song_artists", "song_tags", "song_recordings", "facts", "entry_sources", "actors", "actor_names",
    "drama_actors", "hidden_songs", "catalog_guild_changes", "guild_settings", "daily_posts", "quiz_games",
    "quiz_rounds", "quiz_answers", "quiz_seen", "quiz_pending_answers", "processes",
)
# Tables whose SQLite rowid orders their rows (PostgreSQL numbers them in insertion order).
_BY_ROWID = {"drama_names", "artist_names", "song_titles", "song_tags", "actor_names"}
_IDENTITY = ("sources", "dramas", "artists", "songs", "facts", "actors", "quiz_games")
BATCH = 5000


class CopyRefused(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source: int
    target: int


async def copy_database(source: Store, target: Store) -> list[TableCount]:
    if source.engine != "sqlite" or target.engine != "postgres":
        raise CopyRefused("db copy moves a SQLite database to PostgreSQL")
    latest = available_migrations(source.engine)[-1].version
    if (version := await source.schema_version()) != latest:
        raise CopyRefused(f"the SQLite database has schema version {version}, this bot {latest}: start the bot "
                          "on it once (it migrates), stop it, then copy")
    unknown = set(await source.tables()) - set(TABLES)
    if unknown:
        raise CopyRefused(f"tables this copy does not know: {', '.join(sorted(unknown))}")
    for table, count in (await target.table_counts()).items():
        if count:
            raise CopyRefused(f"the target database is not empty ({table} has {count} rows); nothing was copied")
    counts: list[TableCount] = []
    async with target.transaction() as tx:
        for table in TABLES:
            columns = [r[1] for r in await source.fetch(f'PRAGMA table_info("{table}")')]
            order = "rowid" if table in _BY_ROWID else "1"
            rows = await source.fetch(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY {order}')
            insert = (f'INSERT INTO "{table}" ({", ".join(columns)}) '
                      f'VALUES ({", ".join("?" for _ in columns)})')
            for start in range(0, len(rows), BATCH):
                await tx.executemany(insert, [tuple(r) for r in rows[start:start + BATCH]])
            copied = await tx.fetchval(f'SELECT count(*) FROM "{table}"')
            counts.append(TableCount(table, len(rows), copied))
        for table in _IDENTITY:  # new rows continue after the copied ids
            await tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        song_ids = [r[0] for r in await tx.fetch("SELECT id FROM songs")]
        await Writer(tx, target.dialect).reindex(song_ids)
        wrong = [c for c in counts if c.source != c.target]
        if wrong:
            raise CopyRefused("row counts differ, nothing was copied: " +
                              ", ".join(f"{c.table} {c.source} -> {c.target}" for c in wrong))
    return counts
