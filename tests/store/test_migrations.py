"""Forward-only migrations: recorded in user_version, transactional, never a silent reset."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog
from bot.store import MigrationError, SchemaTooNewError, Store, StoreError
from bot.store.connection import available_migrations
from bot.store.engine import Migration
from bot.store.times import stamp

pytestmark = pytest.mark.both_engines


def test_shipped_migrations_are_numbered_without_gaps():
    versions = [m.version for m in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_fresh_database_reaches_the_latest_version(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    try:
        assert await store.schema_version() == available_migrations()[-1].version
        async with store.transaction() as tx:  # the writer enforces foreign keys
            assert await tx.fetchval("PRAGMA foreign_keys") == 1
        assert (await store.fetchval("PRAGMA journal_mode")).lower() == "wal"
    finally:
        await store.close()


async def _database_at(path, version: int) -> None:
    """A database migrated only up to `version`, holding catalog, server and settings data.
    The shipped catalog is seeded only at the latest version: the seed file uses the newest
    schema (Korean text, actors), and an older bot seeded its own older file."""
    store = await Store.open(path, migrations=available_migrations()[:version])
    try:
        if version == len(available_migrations()):
            await store.catalog.seed(load_catalog())
        # Written as a shared song, then given to server 77 by hand: a server's own write of this code
        # records its change in a table an older schema lacks.
        await store.catalog.import_records([SongRecord(title="Kept Song", artists=["Gummy"], drama="Goblin")])
        # Raw SQL: the repositories read and write every column of the latest schema, which an older one lacks.
        async with store.transaction() as tx:
            await tx.execute("UPDATE songs SET guild_id = 77, origin = 'guild' WHERE title = 'Kept Song'")
            await tx.execute("INSERT INTO guild_settings (guild_id, quiz_rounds, updated_at) VALUES (?, ?, ?)",
                             (77, 12, stamp(dt.datetime.now(dt.UTC))))
        assert await store.schema_version() == version
    finally:
        await store.close()


@pytest.mark.parametrize("version", range(1, len(available_migrations()) + 1))
async def test_every_older_database_upgrades_and_keeps_its_data(tmp_path, version):
    path = tmp_path / "old.db"
    await _database_at(path, version)
    store = await Store.open(path)
    try:
        assert await store.schema_version() == available_migrations()[-1].version
        await store.catalog.seed(load_catalog())  # what start-up does after migrating
        assert (await store.catalog.counts()).songs == 19
        assert [r.title for r in await store.catalog.export_records(77)] == ["Kept Song"]
        assert (await store.guilds.get(77)).quiz_rounds == 12
        assert await store.integrity_check() == "ok"
    finally:
        await store.close()


@pytest.fixture
def empty_database(engine, tmp_path, request):
    """A new database of the engine, not migrated yet."""
    return tmp_path / "old.db" if engine == "sqlite" else request.getfixturevalue("postgres_url")


async def test_running_games_that_cannot_be_resumed_are_interrupted_once_by_a_migration(engine, empty_database):
    """A game row left running without its questions cannot be resumed: upgrading the database marks it
    interrupted (nothing looks for such rows at start-up); a resumable game stays running."""
    database = empty_database
    migrations = available_migrations(engine)
    sweep = next(m for m in migrations if m.name == "interrupt_unresumable_games")
    older = await Store.open(database, migrations=[m for m in migrations if m.version < sweep.version])
    try:
        now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
        game = {"guild_id": 20, "started_by": 7, "mode": "buttons", "topic": "any", "rounds": 3, "seconds": 20,
                "now": now}
        unresumable = await older.quiz.create_game(channel_id=30, **game)
        resumable = await older.quiz.create_game(channel_id=31, questions=[], state={"round": 0}, **game)
    finally:
        await older.close()
    store = await Store.open(database)
    try:
        assert await store.schema_version() == migrations[-1].version
        assert (await store.quiz.game(unresumable)).status == "interrupted"
        assert await store.fetchval("SELECT ended_at FROM quiz_games WHERE id = ?", (unresumable,)) is not None
        assert [g.game_id for g in await store.quiz.running_games()] == [resumable]
    finally:
        await store.close()


async def test_a_new_migration_applies_to_a_database_with_data_and_backs_it_up(tmp_path):
    path = tmp_path / "old.db"
    await _database_at(path, len(available_migrations()))
    extra = Migration(len(available_migrations()) + 1, "add_song_notes",
                      "ALTER TABLE songs ADD COLUMN notes TEXT NOT NULL DEFAULT '';")
    store = await Store.open(path, migrations=[*available_migrations(), extra])
    try:
        assert await store.schema_version() == extra.version
        assert await store.fetchval("SELECT count(*) FROM songs WHERE notes = ''") == 20
        backup = path.with_name(f"old.db.v{extra.version - 1}.bak")
        assert backup.exists()
        with sqlite3.connect(backup) as old:
            assert old.execute("SELECT count(*) FROM songs").fetchone()[0] == 20
    finally:
        await store.close()


async def test_a_failing_migration_is_rolled_back_whole(tmp_path):
    path = tmp_path / "old.db"
    latest = len(available_migrations())
    await _database_at(path, latest)
    broken = Migration(latest + 1, "broken",
                       "ALTER TABLE songs ADD COLUMN half TEXT;\nINSERT INTO no_such_table VALUES (1);")
    with pytest.raises(MigrationError, match="broken"):
        await Store.open(path, migrations=[*available_migrations(), broken])
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
        columns = [r[1] for r in conn.execute("PRAGMA table_info(songs)")]
        assert "half" not in columns
        assert conn.execute("SELECT count(*) FROM songs").fetchone()[0] == 20


async def test_a_database_newer_than_the_code_refuses_to_start(tmp_path):
    path = tmp_path / "future.db"
    await _database_at(path, len(available_migrations()))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="999"):
        await Store.open(path)
    assert path.read_bytes() == before


async def test_backup_is_a_consistent_copy(store, tmp_path):
    target = tmp_path / "backups" / "copy.db"
    if store.engine == "postgres":  # no pretending: the answer names pg_dump, and nothing is written
        with pytest.raises(StoreError, match="pg_dump --format=custom"):
            await store.backup(target)
        assert not target.exists()
        return
    await store.backup(target)
    copy = await Store.open(target)
    try:
        assert await copy.content_hash() == await store.content_hash()
    finally:
        await copy.close()


async def test_a_failed_write_leaves_nothing(store):
    before = await store.content_hash()
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.execute("UPDATE songs SET title = 'oops'")
            raise RuntimeError("crash in the middle")
    assert await store.content_hash() == before
