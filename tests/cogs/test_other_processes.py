"""What another process writes is seen by a running bot within a second: a catalog import from the
command line (a real `ostbot db import` process), server settings changed elsewhere, on both engines.

On SQLite the bot looks at two small generation rows at most every 0.5 s (on the event loop's clock,
which SimCord moves); on PostgreSQL a NOTIFY sent at commit tells it at once. The only waits on the
wall clock are for the other process (polled and bounded).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import asyncpg
import pytest

from bot.store import Store
from tests.cogs.test_ost import user_errors

pytestmark = pytest.mark.both_engines


def import_in_another_process(settings, tmp_path, csv: str) -> None:
    (tmp_path / "new.csv").write_text(csv, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    database = settings.database_url or str(settings.database_path)
    done = subprocess.run([sys.executable, "-m", "bot", "--database", database, "db", "import", "new.csv"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


async def until(condition, seconds: float = 10.0) -> None:
    """Wait for another process's write to reach this one (polled, bounded)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other process's change never arrived"
        await asyncio.sleep(0.02)


async def within_a_second(env, store, heard: int) -> None:
    """What 'within a second' takes: on PostgreSQL the notification (no clock needed: one more than
    the `heard` before the other process wrote); on SQLite the look that is due at most 0.5 s of the
    bot's clock later."""
    if store.engine == "postgres":
        await until(lambda: store.notifications > heard)
    else:
        await env.advance_time(1)


async def test_a_command_line_import_is_seen_by_the_running_bot(world, simcord_env, settings, tmp_path):
    ost = await world.alice.slash(world.channel, "ost", query="snowfall ballad")
    assert ost.response.ephemeral  # not in the catalog yet, and the bot's caches now say so
    assert user_errors(simcord_env) == ["ost.none"]
    assert await world.alice.autocomplete(world.channel, "ost", "query", "snowfall ba") == []

    heard = world.store.notifications
    await asyncio.to_thread(import_in_another_process, settings, tmp_path,
                            "title,artists,drama,year\nSnowfall Ballad,Ailee,Goblin,2017\n")
    await within_a_second(simcord_env, world.store, heard)

    choices = await world.alice.autocomplete(world.channel, "ost", "query", "snowfall ba")
    assert choices and "Snowfall Ballad" in choices[0]["name"]
    found = await world.alice.slash(world.channel, "ost", query="snowfall ballad")
    assert found.response.embeds and found.response.embeds[0].title.startswith("🎵 Snowfall Ballad")
    goblin = await world.alice.slash(world.channel, "ost", query="goblin")  # the drama card, cached before
    assert "Snowfall Ballad" in goblin.response.embeds[0].description


async def test_settings_changed_by_another_process_are_seen(world, simcord_env, database):
    before = await world.alice.slash(world.channel, "about")
    assert before.response.embeds[0].title == "About OST Ballad Bot"
    heard = world.store.notifications
    other = await Store.open(database)  # another bot process of the fleet
    try:
        await other.guilds.update(world.guild.id, language="ko")
    finally:
        await other.close()
    await within_a_second(simcord_env, world.store, heard)
    after = await world.alice.slash(world.channel, "about")
    assert after.response.embeds[0].title != before.response.embeds[0].title  # now in Korean


@pytest.mark.parametrize("engine", ["postgres"])  # SQLite has no notifications, so no listener to lose
async def test_the_listener_comes_back_after_its_connection_is_killed(world, simcord_env, settings):
    store = world.store
    admin = await asyncpg.connect(settings.database_url)
    try:
        pid = await admin.fetchval("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
        assert pid
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        deadline = time.monotonic() + 20
        heard = store.notifications
        while (listening := store.db._listener.connection) is None or listening.is_closed() or \
                store.notifications == heard:
            assert time.monotonic() < deadline, "the listener did not come back"
            await simcord_env.advance_time(1)  # the reconnect waits one second of the bot's clock
            await asyncio.sleep(0.05)
        # It hears again: a change by another process arrives.
        other = await Store.open(settings.database_url)
        try:
            heard = store.notifications
            await other.guilds.update(world.guild.id, language="ko")
        finally:
            await other.close()
        await until(lambda: store.notifications > heard)
    finally:
        await admin.close()


async def test_a_server_song_added_in_another_process_is_seen(world, simcord_env, database):
    """What `/catalog add` writes in another process of the fleet (the same store call the cog makes)."""
    from bot.catalog.records import SongRecord

    before = await world.alice.slash(world.channel, "ost", query="winter letter")
    assert before.response.ephemeral
    assert user_errors(simcord_env) == ["ost.none"]
    heard = world.store.notifications
    other = await Store.open(database)
    try:
        await other.catalog.import_records([SongRecord(title="Winter Letter", artists=["Ailee"], drama="Goblin")],
                                           guild_id=world.guild.id, origin="guild", added_by=world.admin.id)
    finally:
        await other.close()
    await within_a_second(simcord_env, world.store, heard)
    after = await world.alice.slash(world.channel, "ost", query="winter letter")
    assert after.response.embeds and after.response.embeds[0].title.startswith("🎵 Winter Letter")


async def test_the_card_keeper_writes_the_song_cards_again_after_another_process_imports(
        world, simcord_env, settings, tmp_path):
    bot, store = simcord_env.bot, world.store
    current = "SELECT count(*) FROM song_cards WHERE generation = (SELECT CAST(value AS BIGINT) FROM meta " \
              "WHERE key = 'generation:cards')"
    # Started with the bot (the owner of shard 0); its writes go through the database: polled, bounded.
    await until(lambda: bot.cards_built_at == store.catalog.generation)
    songs = await store.fetchval("SELECT count(*) FROM songs")
    assert await store.fetchval(current) == songs

    heard = store.notifications
    await asyncio.to_thread(import_in_another_process, settings, tmp_path,
                            "title,artists,drama,year\nSnowfall Ballad,Ailee,Goblin,2017\n")
    await within_a_second(simcord_env, store, heard)
    found = await world.alice.slash(world.channel, "ost", query="snowfall ballad")
    assert found.response.embeds[0].title.startswith("🎵 Snowfall Ballad")
    await until(lambda: bot.cards_built_at == store.catalog.generation)
    assert await store.fetchval(current) == songs + 1
    bot.catalog._cache.clear()  # as a process that never showed the card: it reads the store
    documents_only = store.fetch_many

    async def no_catalog_batch(queries, *args, **kwargs):  # the card can only come from its document
        assert all("FROM song_cards" in sql for sql, _ in queries), "a catalog-table batch was read"
        return await documents_only(queries, *args, **kwargs)

    store.fetch_many = no_catalog_batch
    try:
        card = await world.bob.slash(world.channel, "ost", query="snowfall ballad")
    finally:
        del store.fetch_many
    assert card.response.embeds[0].to_dict() == found.response.embeds[0].to_dict()
