"""The engine layer: parameter numbering, URL masking, and PostgreSQL's migrations and faults.

Tests with `engine` in their arguments run on both engines (this module is marked `both_engines`);
the PostgreSQL-only ones take `postgres_url`, a fresh database of the throwaway test server.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import aiosqlite
import asyncpg
import pytest

from bot.catalog.records import SongRecord
from bot.store import MigrationError, SchemaTooNewError, Store, StoreUnavailable, available_migrations
from bot.store.engine import Migration, number_parameters
from bot.store.postgres import describe_url, mask_url

pytestmark = pytest.mark.both_engines



# -- the thin layer ----------------------------------------------------------------------------

def test_aiosqlite_still_runs_a_function_on_its_thread():
    """The SQLite engine's batches rely on it (pinned by aiosqlite's version range)."""
    assert callable(getattr(aiosqlite.Connection, "_execute", None))


async def test_sqlite_reads_one_after_another_keep_to_one_reader_and_overlapping_reads_get_another(tmp_path):
    """Last in, first out: a warm reader (page cache, thread) for look-ups in a row (BENCHMARKS.md:
    readers taking turns made every card read slower); a read that overlaps one in flight still
    gets the other reader."""
    store = await Store.open(tmp_path / "ost.db")
    try:
        used = []
        for _ in range(4):
            async with store.read() as r:
                used.append(r._conn)
                await r.fetch("SELECT 1")
        assert len({id(c) for c in used}) == 1
        async with store.read() as outer, store.read() as inner:
            assert inner._conn is not outer._conn
            assert [tuple(x) for x in await inner.fetch("SELECT 2")] == [(2,)]
    finally:
        await store.close()


def reader_trips(store) -> list[int]:
    """Counts, from now on, every time the SQLite store takes a reader (a trip to its thread)."""
    threads: list[int] = []
    original = store.db._readers.get

    async def counted_get():
        threads.append(1)
        return await original()

    store.db._readers.get = counted_get
    return threads


async def test_sqlite_batches_read_on_the_event_loop_and_never_make_it_wait_for_a_lock(tmp_path):
    """A batch (a card's queries) is read on the event loop's thread, without a trip to a reader's
    thread. That connection never waits: told the database is busy (in WAL mode a reader meets that
    only while another process recovers the log), the batch is read on a reader's thread instead, which
    may wait without holding up the event loop."""
    import sqlite3

    store = await Store.open(tmp_path / "ost.db")
    try:
        threads = reader_trips(store)
        batch = [("SELECT count(*) FROM sqlite_master", ()), ("SELECT name FROM sqlite_master ORDER BY name", ())]
        expected = [[tuple(r) for r in rows] for rows in await store.fetch_many(batch)]
        assert threads == [] and expected[0][0][0] > 0
        assert store.db._inline.execute("PRAGMA busy_timeout").fetchone()[0] == 0  # it never waits

        class Busy:  # the fault: the event loop's connection finds the database busy
            def __init__(self, conn):
                self.conn = conn

            def execute(self, *args):
                raise sqlite3.OperationalError("database is locked")

            @property
            def in_transaction(self):
                return False

            def close(self):
                self.conn.close()

        store.db._inline = Busy(store.db._inline)
        assert [[tuple(r) for r in rows] for rows in await store.fetch_many(batch)] == expected
        assert threads == [1]
    finally:
        await store.close()


async def test_a_sqlite_card_and_the_look_for_other_writers_never_leave_the_event_loop(tmp_path):
    """What /ost reads for a song whose document is ready (the document, and every half second the
    store's look at the generations another process may have changed) is read on the event loop's
    thread: a trip to a reader's thread was most of a card's time, and all of its spread while another
    server wrote (benchmarks.noisy: B's median 0.4 -> 0.2 ms)."""
    store = await Store.open(tmp_path / "ost.db")
    try:
        await store.catalog.import_records([SongRecord(title="Stay", artists=["Gummy"], drama="Goblin")])
        await store.catalog.build_card_docs()
        [song_id] = await store.catalog.visible_song_ids(None)
        threads = reader_trips(store)
        await store.refresh(force=True)
        await store.catalog.import_records([SongRecord(title="Other", artists=["Gummy"], drama="Goblin")],
                                           guild_id=5, origin="guild")
        await store.refresh(force=True)  # a server changed: its changes are read too
        [card] = await store.catalog.song_cards_by_ids([song_id])
        assert card.title == "Stay" and threads == []
    finally:
        await store.close()


def test_a_bot_on_sqlite_never_imports_asyncpg():
    """asyncpg costs start-up time (BENCHMARKS.md): only a PostgreSQL URL imports it."""
    code = ("import asyncio, sys, tempfile, pathlib, bot.app\n"
            "from bot.store import Store\n"
            "async def main():\n"
            "    s = await Store.open(pathlib.Path(tempfile.mkdtemp()) / 'ost.db')\n"
            "    await s.close()\n"
            "asyncio.run(main())\n"
            "assert 'asyncpg' not in sys.modules, 'asyncpg imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_named_and_positional_parameters_are_numbered_once():
    named = number_parameters("SELECT :a, :b, :a, '::x :no', \"q:no\", x::bigint FROM t WHERE y = :b")
    assert named.sql == "SELECT $1, $2, $1, '::x :no', \"q:no\", x::bigint FROM t WHERE y = $2"
    assert named.args({"b": 2, "a": 1, "unused": 3}) == [1, 2]
    positional = number_parameters("UPDATE t SET a = ?, b = '?' WHERE c = ?")
    assert positional.sql == "UPDATE t SET a = $1, b = '?' WHERE c = $2"
    assert positional.args((5, 6)) == [5, 6]
    with pytest.raises(TypeError):
        positional.args((5,))
    with pytest.raises(ValueError):
        number_parameters("SELECT :a, ?")
    assert number_parameters("SELECT 1").args({"guild": None}) == []


def test_passwords_never_show():
    url = "postgresql://ost:s3cr%40t@db.example:6543/ballads"
    assert mask_url(url) == "postgresql://ost:***@db.example:6543/ballads"
    assert describe_url(url) == "host db.example, port 6543, database ballads"
    assert mask_url("postgresql://ost@db/x") == "postgresql://ost@db/x"
    assert describe_url("postgresql://postgres:@/ost?host=/tmp/sock") == "host /tmp/sock, port 5432, database ost"


# -- both engines: the contract ------------------------------------------------------------------

async def test_a_transaction_is_all_or_nothing_and_reads_see_only_commits(store):
    before = await store.content_hash()
    inside = asyncio.Event()
    release = asyncio.Event()

    async def half_written():
        async with store.transaction() as tx:
            await tx.execute("UPDATE songs SET title = 'half'")
            inside.set()
            await release.wait()
            raise RuntimeError("crash in the middle")

    task = asyncio.create_task(half_written())
    await inside.wait()
    assert "half" not in {r[0] for r in await store.fetch("SELECT title FROM songs")}  # not committed yet
    release.set()
    with pytest.raises(RuntimeError):
        await task
    assert await store.content_hash() == before


async def test_a_conflict_is_the_engines_word_for_a_broken_constraint(store):
    from bot.store import Conflict

    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('k', '1')")
            await tx.execute("INSERT INTO meta (key, value) VALUES ('k', '2')")
    assert await store.meta.get("k") is None


async def test_a_batch_reads_each_query_in_order_and_hands_its_ids_to_the_others(store):
    """`fetch_many` with `ids`: the ids query runs once, first, and the other queries read its ids
    (in one snapshot: one trip to SQLite's thread, one statement on PostgreSQL), rows in each
    query's own order, by position and by name."""
    d = store.dialect
    titles = [(r[0], r[1]) for r in await store.fetch("SELECT id, title FROM songs ORDER BY id")]
    wanted = [song_id for song_id, _ in titles[:3]]
    ids_query = (f"SELECT id FROM songs WHERE id IN ({d.ids('want')}) ORDER BY id DESC", {"want": json.dumps(wanted)})
    found, by_title, counted, nothing = await store.fetch_many([
        (f"SELECT id, title, title AS again FROM songs WHERE id IN ({d.batch_ids()}) ORDER BY title", {}),
        (f"SELECT count(*) AS n FROM songs WHERE id IN ({d.batch_ids()})", {}),
        ("SELECT id FROM songs WHERE id < 0", {}),
    ], ids=ids_query)
    assert [r[0] for r in found] == sorted(wanted, reverse=True)
    expected = sorted((t, i) for i, t in titles[:3])
    assert [(r["title"], r[0]) for r in by_title] == expected
    assert [tuple(r) for r in by_title] == [(i, t, t) for t, i in expected]
    assert counted[0]["n"] == counted[0][0] == 3
    assert nothing == []
    # And without ids: independent queries, the empty list an empty result, not an error.
    empty, one = await store.fetch_many([(f"SELECT id FROM songs WHERE id IN ({d.ids('x')})", {"x": "[]"}),
                                          ("SELECT 1 AS one", ())])
    assert empty == [] and one[0]["one"] == 1


# -- PostgreSQL only -----------------------------------------------------------------------------

async def test_a_card_read_planned_once_for_every_id_list_expects_a_few_ids(postgres_url):
    """The generic plan (the one PostgreSQL keeps for a prepared statement after a few runs) of a song
    card's batch expects a few ids, so in a large catalog it walks the indexes: that is what `ost_ids`
    is for. With jsonb_array_elements_text inline the plan expects 100, scans name tables whole at
    50,000 songs, and PostgreSQL plans every execution again (BENCHMARKS.md)."""
    from bot.store import postgres_batch as pg

    store = await Store.open(postgres_url)
    try:
        song_id = await store.fetchval("SELECT min(id) FROM songs")
        queries = store.catalog._reads.songs.queries([song_id], None)
        batch = pg.batch(None, tuple(sql for sql, _ in queries))
        conn = await asyncpg.connect(postgres_url)
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            statement = await conn.prepare(batch.sql)
            plan = json.dumps(await statement.explain(*batch.args([p for _, p in queries])))
        finally:
            await conn.close()
        expected = []  # how many ids the planner expects of each id list
        stack = [json.loads(plan)[0]["Plan"]]
        while stack:
            node = stack.pop()
            if node["Node Type"] in ("ProjectSet", "Function Scan"):
                expected.append(node["Plan Rows"])
            stack.extend(node.get("Plans", []))
        assert expected and max(expected) <= 10, expected
    finally:
        await store.close()


async def test_processes_starting_together_migrate_exactly_once(postgres_url):
    stores = await asyncio.gather(*(Store.open(postgres_url) for _ in range(4)))
    try:
        rows = await stores[0].fetch("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY 1")
        latest = available_migrations("postgres")[-1].version
        assert latest == available_migrations("sqlite")[-1].version  # the same versions on both engines
        assert [tuple(r) for r in rows] == [(version, 1) for version in range(1, latest + 1)]
        for store in stores:
            assert await store.schema_version() == latest
    finally:
        for store in stores:
            await store.close()


async def test_processes_starting_together_seed_exactly_once(postgres_url):
    from bot.catalog.seedfile import load_catalog

    stores = await asyncio.gather(*(Store.open(postgres_url) for _ in range(4)))
    try:
        reports = await asyncio.gather(*(store.catalog.seed(load_catalog()) for store in stores))
        assert sorted(r.changed for r in reports) == [False, False, False, True]
        assert (await stores[0].catalog.counts()).songs == 19
        assert await stores[0].fetchval("SELECT count(*) FROM song_search") == 19
    finally:
        for store in stores:
            await store.close()


async def test_a_newer_postgres_schema_refuses_to_start_and_changes_nothing(postgres_url):
    store = await Store.open(postgres_url)
    await store.meta.set("probe", "1")
    async with store.transaction() as tx:
        await tx.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
    before = await store.content_hash()
    await store.close()
    with pytest.raises(SchemaTooNewError, match="999"):
        await Store.open(postgres_url)
    store = await Store.open(postgres_url, migrate=False)
    try:
        assert await store.content_hash() == before
    finally:
        await store.close()


async def test_a_failing_postgres_migration_is_rolled_back_whole_and_releases_the_lock(postgres_url):
    migrations = available_migrations("postgres")
    broken = Migration(len(migrations) + 1, "broken",
                       "ALTER TABLE songs ADD COLUMN half TEXT;\nINSERT INTO no_such_table VALUES (1);")
    with pytest.raises(MigrationError, match=f"V{broken.version}__broken failed and was rolled back"):
        await Store.open(postgres_url, migrations=[*migrations, broken])
    store = await Store.open(postgres_url)  # migrating again takes the lock: the failure released it
    try:
        assert await store.schema_version() == len(migrations)
        assert await store.fetchval("SELECT count(*) FROM schema_migrations WHERE name = 'broken'") == 0
        assert await store.fetchval("SELECT count(*) FROM information_schema.columns "
                                    "WHERE table_name = 'songs' AND column_name = 'half'") == 0
    finally:
        await store.close()


async def test_an_unreachable_server_is_one_clear_error_without_the_password():
    with pytest.raises(StoreUnavailable) as caught:
        await Store.open("postgresql://ost:hunter2@127.0.0.1:1/ballads")
    message = str(caught.value)
    assert "host 127.0.0.1, port 1, database ballads" in message
    assert "hunter2" not in message


async def test_a_connection_killed_mid_command_is_try_again_and_the_pool_recovers(postgres_url):
    store = await Store.open(postgres_url)
    try:
        await store.catalog.import_records([SongRecord(title="Kept", artists=["Gummy"], drama="Goblin")])
        before = await store.content_hash()

        async def doomed_write():
            async with store.transaction() as tx:
                await tx.execute("UPDATE songs SET title = 'half written'")
                await tx.execute("SELECT pg_sleep(30)")

        task = asyncio.create_task(doomed_write())
        admin = await asyncpg.connect(postgres_url)
        try:
            for _ in range(200):  # polled and bounded: the other connection's statement is running
                pid = await admin.fetchval(
                    "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()")
                if pid:
                    break
                await asyncio.sleep(0.05)
            assert pid, "the write never reached the server"
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        with pytest.raises(StoreUnavailable):
            await task
        assert await store.content_hash() == before  # nothing half-written
        for _ in range(3):  # the pool hands out working connections again
            assert await store.fetchval("SELECT count(*) FROM songs WHERE title = 'Kept'") == 1
        await store.meta.set("after", "ok")
        assert await store.meta.get("after") == "ok"
    finally:
        await store.close()


# -- appends: one statement on a click's path ---------------------------------------------------

PENDING = ("INSERT INTO quiz_pending_answers (game_id, round, user_id, correct, base, speed, bonus, streak, "
           "elapsed, given) VALUES (?, 1, ?, 1, 100, 0, 0, 1, 1.5, 'x') ON CONFLICT (game_id, round, user_id) "
           "DO NOTHING")


async def a_game(store) -> int:
    import datetime as dt

    return await store.quiz.create_game(guild_id=1, channel_id=2, started_by=3, mode="buttons", topic="any",
                                        rounds=3, seconds=20, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


async def test_an_append_is_committed_when_it_returns_and_checked_like_any_write(store, database):
    """`Store.append` (a quiz answer): visible to another process the moment it returns, its row count
    told, a constraint it breaks (no such game) refused as a Conflict with nothing written; it leaves
    the server-settings cache alone (`writes`: a quiz answer changes no setting)."""
    from bot.store import Conflict

    game = await a_game(store)
    writes = store.writes
    assert await store.append(PENDING, (game, 7)) == 1
    assert await store.append(PENDING, (game, 7)) == 0  # kept once
    other = await Store.open(database)
    try:
        assert await other.fetchval("SELECT count(*) FROM quiz_pending_answers WHERE game_id = ?", (game,)) == 1
    finally:
        await other.close()
    with pytest.raises(Conflict):
        await store.append(PENDING, (game + 1000, 7))
    assert await store.fetchval("SELECT count(*) FROM quiz_pending_answers") == 1
    assert store.writes == writes


async def test_a_postgres_append_commits_without_waiting_for_the_disk_and_other_writes_still_do(postgres_url):
    """On PostgreSQL an append goes through a pool of its own whose commits do not wait for the disk
    (`synchronous_commit = off`: a crash of the bot cannot lose it, only one of the server within its
    next log flush); every other write keeps the server's default and waits. Closing the store closes
    both pools."""
    store = await Store.open(postgres_url)
    try:
        game = await a_game(store)
        assert await store.append(PENDING, (game, 1)) == 1
        async with store.db._quick.acquire() as conn:
            assert await conn.fetchval("SHOW synchronous_commit") == "off"
        async with store.transaction() as tx:
            assert await tx.fetchval("SHOW synchronous_commit") == "on"
        assert await store.fetchval("SELECT count(*) FROM quiz_pending_answers") == 1
    finally:
        await store.close()
    assert store.db._quick._closed and store.db._pool._closed


async def test_a_sqlite_append_is_written_on_the_event_loop_unless_the_writer_is_busy(tmp_path):
    """On SQLite an append is written on the event loop's thread by a connection that never waits
    (and never checkpoints: a checkpoint syncs to disk). While a transaction of this process holds the
    writer, the append waits for it and goes after it; told the database is busy (another process
    writing), it is written as a transaction on the writer's thread."""
    import sqlite3

    store = await Store.open(tmp_path / "ost.db")
    try:
        game = await a_game(store)
        inline = store.db._inline_writer
        assert inline.execute("PRAGMA busy_timeout").fetchone()[0] == 0
        assert inline.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        transactions = []
        original = store.db.transaction

        def counted_transaction():
            transactions.append(1)
            return original()

        store.db.transaction = counted_transaction
        await store.append(PENDING, (game, 1))
        assert transactions == []  # no trip to the writer's thread

        order = []
        entered = asyncio.Event()

        async def long_write():
            async with store.transaction() as tx:
                entered.set()
                await asyncio.sleep(0)
                await tx.execute("DELETE FROM quiz_pending_answers WHERE user_id = 1")
                order.append("transaction")

        async def append():
            await entered.wait()
            await store.append(PENDING, (game, 2))
            order.append("append")

        await asyncio.gather(long_write(), append())
        assert order == ["transaction", "append"] and len(transactions) == 2

        class Busy:  # the fault: another process holds the write lock
            def execute(self, *args):
                raise sqlite3.OperationalError("database is locked")

            def close(self):
                inline.close()

        store.db._inline_writer = Busy()
        await store.append(PENDING, (game, 3))
        assert len(transactions) == 3
        users = await store.fetch("SELECT user_id FROM quiz_pending_answers ORDER BY user_id")
        assert [u[0] for u in users] == [2, 3]
    finally:
        await store.close()
