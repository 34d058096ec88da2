"""Read caches in the store stay correct: a cached value never outlives a write."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

pytestmark = pytest.mark.both_engines


async def test_settings_cache_sees_writes_from_any_repository(store):
    await store.guilds.update(42, daily_channel_id=7, daily_hour=9)
    assert (await store.guilds.get(42)).daily_error is None  # cached now
    # The daily bookkeeping is written by another repository, with its own SQL.
    await store.daily.fail(42, "2026-11-22", "missing access")
    assert (await store.guilds.get(42)).daily_error == "missing access"
    await store.daily.finish(42, "2026-11-22", 1)
    assert (await store.guilds.get(42)).daily_error is None


async def test_settings_cache_answers_reads_without_the_database(store):
    await store.guilds.update(43, language="ko")
    first = await store.guilds.get(43)
    reads = 0
    original = store.fetchrow

    async def counting(*args, **kwargs):
        nonlocal reads
        reads += 1
        return await original(*args, **kwargs)

    store.fetchrow = counting
    try:
        for _ in range(5):
            assert await store.guilds.get(43) == first
        assert reads == 0
        async with store.transaction() as tx:  # a commit beside the repository: the cache must still see it
            await tx.execute("UPDATE guild_settings SET language = 'en' WHERE guild_id = 43")
        assert (await store.guilds.get(43)).language == "en"
        assert reads == 1
    finally:
        del store.fetchrow


async def test_hydration_reads_run_together_and_see_the_latest_commit(store):
    async with store.read() as r:
        (rows,) = await r.fetch_many([("SELECT title FROM songs", ())])
    titles = [row["title"] for row in rows]
    assert len(titles) == (await store.table_counts())["songs"]
    song_id = min(await store.catalog.visible_song_ids(None))
    async with store.transaction() as tx:  # a commit from anywhere, not through a repository
        await tx.execute("UPDATE songs SET title = 'Renamed' WHERE id = ?", (song_id,))
    assert (await store.catalog.songs_by_ids([song_id]))[0].title == "Renamed"
    # A read session cannot write, whatever a caller passes it.
    with pytest.raises((sqlite3.OperationalError, asyncpg.PostgresError)):
        async with store.read() as r:
            await r.fetch_many([("DELETE FROM songs", ())])
    assert (await store.table_counts())["songs"] == len(titles)


async def test_a_look_for_other_processes_writes_waits_for_the_look_under_way(store, database):
    """Two callers of `refresh` at once (the song card keeper after a notification, and a command): the
    second waits for the first one's read of the generations, so its answer is not served from caches that
    read is about to drop."""
    import asyncio

    from bot.catalog.records import SongRecord
    from bot.store import Store

    await store.refresh(force=True)
    other = await Store.open(database)  # another process of the fleet
    try:
        await other.catalog.import_records([SongRecord(title="Winter Letter", artists=["Ailee"], drama="Goblin")],
                                           guild_id=42, origin="guild", added_by=1)
    finally:
        await other.close()
    generation = store.catalog.generation
    gate = asyncio.Event()
    original = store.fetch_many

    async def held(*args, **kwargs):
        await gate.wait()
        return await original(*args, **kwargs)

    store.fetch_many = held
    try:
        store.heard(None)  # a notification: look before the next answer
        keeper = asyncio.create_task(store.refresh())
        await asyncio.sleep(0)  # the keeper's look is under way, held at its read
        command = asyncio.create_task(store.refresh())
        await asyncio.sleep(0)
        assert not command.done(), "the command's refresh returned while the keeper's look was under way"
        gate.set()
        await asyncio.gather(keeper, command)
    finally:
        store.fetch_many = original
    assert store.catalog.generation > generation
