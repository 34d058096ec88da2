"""The two engines' schemas, table by table and column by column: a migration written for one engine
and not the other, or differently, shows here. Column types are named differently by the engines
(INTEGER and bigint, TEXT and text) and are left out; names, order and whether a value is required
(NOT NULL or part of the primary key) are compared."""

from __future__ import annotations

from bot.store import Store

SQLITE_COLUMNS = ("SELECT m.name, p.name, p.\"notnull\" OR p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p "
                  "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid")
POSTGRES_COLUMNS = ("SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")

# What differs on purpose, and why.
# Full-text search: SQLite's FTS5 table (a virtual table and its shadow tables) against PostgreSQL's
# table of tsvector documents.
SEARCH_TABLES = {"song_search", "song_search_config", "song_search_content", "song_search_data",
                 "song_search_docsize", "song_search_idx"}
# The schema version: SQLite keeps it in PRAGMA user_version, PostgreSQL in a table.
POSTGRES_ONLY = {"schema_migrations"}
# SQLite's tables have an implicit rowid; PostgreSQL's name tables and song tags declare theirs.
IMPLICIT = "rowid"


async def schema(database, sql: str) -> dict[str, list[tuple[str, bool]]]:
    store = await Store.open(database)
    try:
        rows = await store.fetch(sql)
    finally:
        await store.close()
    tables: dict[str, list[tuple[str, bool]]] = {}
    for table, column, required in rows:
        if column != IMPLICIT:
            tables.setdefault(table, []).append((column, bool(required)))
    return tables


async def test_both_engines_migrate_to_the_same_tables_and_columns(tmp_path, postgres_url):
    sqlite = await schema(tmp_path / "ost.db", SQLITE_COLUMNS)
    postgres = await schema(postgres_url, POSTGRES_COLUMNS)
    assert set(sqlite) - SEARCH_TABLES == set(postgres) - SEARCH_TABLES - POSTGRES_ONLY
    assert set(postgres) >= POSTGRES_ONLY and "song_search" in sqlite and "song_search" in postgres
    for table in sorted(set(sqlite) - SEARCH_TABLES):
        assert sqlite[table] == postgres[table], table
