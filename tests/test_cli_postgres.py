"""`ostbot` on PostgreSQL: every database command, a masked password, `db copy` from SQLite, and `ostbot status`
listing the fleet's processes and flagging its shards.

Each test gets a fresh database on the throwaway test server. The server trusts local connections,
so a URL with any password connects: enough to prove the password is never printed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog
from bot.quiz.questions import Name, Question
from bot.quiz.scoring import Points
from bot.quiz.session import Answer, RoundResult
from bot.store import Store, available_migrations

SECRET = "s3cret-pw"


def with_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.split("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"postgres:{SECRET}@{netloc}"))


@pytest.fixture
def pg_url(postgres_url):
    return with_password(postgres_url)


def run(args, cwd, env_extra=None, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_every_database_command_works_on_postgres_and_hides_the_password(pg_url, tmp_path):
    env = {"OST_DATABASE_URL": pg_url}
    check = run(["db", "check"], tmp_path, env)
    assert check.returncode == 0, check.stderr
    latest = len(available_migrations("postgres"))
    assert "engine:    PostgreSQL" in check.stdout and f"schema:    version {latest}" in check.stdout
    assert "songs:     19" in check.stdout and "integrity: ok" in check.stdout
    assert "postgres:***@" in check.stdout
    (tmp_path / "new.csv").write_text("title,artists,drama,year\nSnowfall,Ailee,Goblin,2017\n")
    imported = run(["db", "import", "new.csv"], tmp_path, env)
    assert imported.returncode == 0 and "1 added" in imported.stdout, imported.stderr
    exported = run(["db", "export", "all.json"], tmp_path, env)
    assert exported.returncode == 0, exported.stderr
    titles = {s["title"] for s in json.loads((tmp_path / "all.json").read_text())["songs"]}
    assert len(titles) == 20 and "Snowfall" in titles
    backup = run(["db", "backup", "copy.db"], tmp_path, env)
    assert backup.returncode == 2 and "pg_dump --format=custom" in backup.stderr
    assert not (tmp_path / "copy.db").exists()
    for result in (check, imported, exported, backup):
        assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["db", "check"], ["run"]])
def test_an_unreachable_server_is_one_line_and_exit_1(tmp_path, command):
    """`run` opens the store before it logs in to Discord: no network is needed to see this."""
    env = {"OST_DATABASE_URL": f"postgresql://ost:{SECRET}@127.0.0.1:1/ballads", "DISCORD_TOKEN": "not-used"}
    result = run(command, tmp_path, env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.strip().splitlines() if "voice will NOT be supported" not in line]
    assert len(errors) == 1 and "host 127.0.0.1, port 1, database ballads" in errors[0], result.stderr
    assert SECRET not in result.stderr and "Traceback" not in result.stderr


async def populated_sqlite(path) -> dict:
    """A SQLite database with something in every table a bot fills, and what to expect of it."""
    store = await Store.open(path)
    try:
        await store.catalog.seed(load_catalog())
        report = await store.catalog.import_records(
            [SongRecord(title="Winter Letter", artists=["Han Seoyun"], drama="Snow Road", year=2020)],
            guild_id=77, origin="guild", added_by=5)
        shipped = (await store.catalog.visible_song_ids(None))[0]
        await store.additions.hide(77, shipped)
        await store.guilds.update(77, language="ko", quiz_rounds=7, daily_channel_id=9, daily_hour=8)
        await store.meta.set("command_hash", "abc123")
        await store.daily.claim(77, "2026-11-20", shipped, 9)
        await store.daily.finish(77, "2026-11-20", 1234)
        now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
        game = await store.quiz.create_game(guild_id=77, channel_id=9, started_by=5, mode="buttons", topic="any",
                                            rounds=2, seconds=20, now=now)
        question = Question(key="q1", kind="song_drama", options=(Name("Snow Road"), Name("Other")), correct=0,
                            accepted=("snowroad",), song_id=report.song_ids[0])
        await store.quiz.record_round(game, 77, 9, RoundResult(1, question, (
            Answer(5, True, 2.5, Points(100, 20, 0), 1, "Snow Road"),
            Answer(6, False, 3.0, Points(0, 0, 0), 0, "Other"))), now, end_status="finished")
        drama_ids = [r[0] for r in await store.fetch("SELECT id FROM dramas ORDER BY id")]  # no store method lists them
        return {"counts": await store.table_counts(), "leaders": await store.quiz.leaderboard(77),
                "export": await store.catalog.export_records(77), "settings": await store.guilds.get(77),
                "dramas": await store.catalog.dramas_by_ids(drama_ids, 77)}
    finally:
        await store.close()


async def test_db_copy_moves_everything_and_refuses_a_second_time(pg_url, tmp_path):
    source = tmp_path / "data" / "ost.db"
    expected = await populated_sqlite(source)
    source_bytes = source.read_bytes()
    result = await asyncio.to_thread(run, ["--database", str(source), "db", "copy", "--to", pg_url], tmp_path)
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    for table, count in expected["counts"].items():
        assert f"{table} " in result.stdout and f"{count:>8} -> {count:>8}  ok" in result.stdout
    assert source.read_bytes() == source_bytes  # the source is only read

    store = await Store.open(pg_url)
    try:
        assert await store.table_counts() == expected["counts"]
        assert await store.catalog.export_records(77) == expected["export"]
        assert await store.guilds.get(77) == expected["settings"]
        assert await store.meta.get("command_hash") == "abc123"
        assert await store.quiz.leaderboard(77) == expected["leaders"]
        # Dramas with their facts (Korean text too) and lead actors (names in their order).
        dramas = await store.catalog.dramas_by_ids([d.id for d in expected["dramas"]], 77)
        assert dramas == expected["dramas"] and sum(len(d.actors) for d in dramas) == 13
        # New actors get fresh ids after the copied ones (their identity sequence was reset too).
        async with store.transaction() as tx:
            new_actor = await tx.fetchval("INSERT INTO actors (key, name) VALUES ('new-actor', 'New Actor') "
                                          "RETURNING id")
        assert new_actor > max(a.id for d in dramas for a in d.actors)
        assert [m.name for m in await store.search.fts_songs(["winter"], 77)] == ["Winter Letter"]
        # New rows get fresh ids after the copied ones.
        highest = max(await store.catalog.visible_song_ids(77))
        added = await store.catalog.import_records([SongRecord(title="New", artists=["Ailee"], drama="Goblin")])
        assert added.song_ids[0] > highest
        before = await store.content_hash()
    finally:
        await store.close()

    again = await asyncio.to_thread(run, ["--database", str(source), "db", "copy", "--to", pg_url], tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr
    store = await Store.open(pg_url)
    try:
        assert await store.content_hash() == before  # untouched
    finally:
        await store.close()


async def test_db_copy_killed_half_way_leaves_the_target_empty(pg_url, tmp_path):
    source = tmp_path / "ost.db"
    store = await Store.open(source)
    try:
        await store.catalog.seed(load_catalog())
        records = [SongRecord(title=f"Song {n}", artists=[f"Singer {n % 300}"], drama=f"Drama {n % 500}")
                   for n in range(20_000)]
        await store.catalog.import_records(records)
    finally:
        await store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--database", str(source), "db", "copy", "--to", pg_url,
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        admin = await asyncpg.connect(pg_url)
        try:
            copying = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.returncode is None:  # polled and bounded
                copying = bool(await admin.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND query LIKE 'INSERT INTO \"song_titles\"%'"))
                if copying:
                    break
                await asyncio.sleep(0.01)
            assert copying, "the copy was never seen inserting"
            child.send_signal(signal.SIGKILL)
            await asyncio.wait_for(child.wait(), timeout=30)
            for _ in range(200):  # the server notices the dead client and rolls its transaction back
                if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()"):
                    break
                await asyncio.sleep(0.05)
            tables = [r[0] for r in await admin.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")]
            assert "songs" in tables
            for table in tables:
                assert await admin.fetchval(f'SELECT count(*) FROM "{table}"') == 0, table
        finally:
            await admin.close()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


# -- `ostbot status`: the fleet on one database ---------------------------------------------------

async def beat(url: str, shards: str, guilds: int) -> Store:
    """Another process of the fleet, which has just recorded its heartbeat (on the wall clock, as
    `ostbot status` reads it)."""
    store = await Store.open(url)
    now = dt.datetime.now(dt.UTC)
    await store.fleet.heartbeat(host="host", pid=1, shard_count=4, shard_ids=shards, guilds=guilds, version="0.1.0",
                                started_at=now, now=now)
    return store


def status(url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    return subprocess.run([sys.executable, "-m", "bot", "--database", url, "status"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_ostbot_status_lists_the_processes_and_flags_shards(postgres_url, tmp_path):
    stores = [await beat(postgres_url, "0-1", 10), await beat(postgres_url, "2-3", 7)]
    try:
        healthy = status(postgres_url, tmp_path)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        assert "shards 0-1 of 4" in healthy.stdout and "shards 2-3 of 4" in healthy.stdout
        assert "servers across live processes: 17" in healthy.stdout and "!" not in healthy.stdout
        stores.append(await beat(postgres_url, "1-2", 3))  # overlapping, as in a rolling deploy
        await stores[1].fleet.forget()  # the process of 2-3 stops cleanly
        flagged = status(postgres_url, tmp_path)
        assert flagged.returncode == 1
        assert "! shard 1 of 4 is owned by 2 live processes" in flagged.stdout
        assert "! no live process owns shard 3 of 4" in flagged.stdout
    finally:
        for store in stores:
            await store.close()
