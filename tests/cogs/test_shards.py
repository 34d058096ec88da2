"""A bot process that owns some shards of a fleet on PostgreSQL (SimCord runs it as an
AutoShardedClient): it posts the song of the day only in its own servers, and leaves command sync
to the owner of shard 0."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from bot.app import ShardedOstBot
from bot.config import Settings
from bot.store import Store
from tests.cogs.test_daily import advance_to, posts
from tests.helpers import utc


@pytest.fixture
def database(postgres_url):
    return postgres_url


@pytest.fixture
def settings(database, tmp_path, request) -> Settings:
    shard_ids = getattr(request, "param", (0,))
    return Settings(database_path=tmp_path / "unused.db", database_url=database, shard_count=2, shard_ids=shard_ids,
                    heartbeat_seconds=None)


async def test_the_song_of_the_day_is_posted_by_the_owner_of_the_servers_shard(simcord_env, settings):
    bot = simcord_env.bot
    assert isinstance(bot, ShardedOstBot) and bot.shard_ids == [0]
    assert bot.synced_on_start  # the owner of shard 0 syncs the commands
    mine = simcord_env.create_guild(name="Mine", shard_id=0)
    channel = mine.create_text_channel("general")
    admin = mine.add_member(simcord_env.create_user("admin"), roles=[
        mine.create_role("Admins", permissions=discord.Permissions(manage_guild=True))])
    theirs_id = (12345 << 22) | 1  # a server of shard 1, owned by another process of the fleet
    assert not bot.owns_guild(theirs_id)
    await bot.store.guilds.update(theirs_id, daily_channel_id=424242, daily_hour=9, daily_timezone="UTC")
    saved = await admin.slash(channel, "config daily", channel=channel, hour=9, timezone="UTC")
    assert saved.response.ephemeral
    await advance_to(simcord_env, utc(2026, 1, 1, 9, 1))
    assert len(posts(channel)) == 1
    assert await bot.store.daily.posts(theirs_id) == []  # left to the process owning shard 1
    assert (await bot.store.guilds.get(theirs_id)).daily_last_date is None
    assert simcord_env.now() < dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize("settings", [(1,)], indirect=True)
async def test_a_process_without_shard_zero_never_syncs_commands(simcord_env, settings):
    assert simcord_env.bot.shard_ids == [1]
    assert simcord_env.bot.synced_on_start is False
    assert await simcord_env.bot.store.meta.get("command_hash") is None



@pytest.mark.parametrize("settings", [(0,)], indirect=True)
async def test_about_names_the_shard_and_counts_servers_across_the_fleet(simcord_env, settings, database):
    import dataclasses

    from bot.app import open_bot

    await simcord_env.bot.close()
    beating = dataclasses.replace(settings, heartbeat_seconds=30.0)
    await simcord_env.restart_bot(await open_bot(beating))
    bot = simcord_env.bot
    guild = simcord_env.create_guild(name="Mine", shard_id=0)
    channel = guild.create_text_channel("general")
    member = guild.add_member(simcord_env.create_user("alice"))
    other = await Store.open(database)  # another process of the fleet, with 40 servers
    try:
        await other.fleet.heartbeat(host="other", pid=2, shard_count=2, shard_ids="1", guilds=40, version="0.1.0",
                                    started_at=simcord_env.now(), now=simcord_env.now())
    finally:
        await other.close()
    await bot.heartbeat()  # (its task beats every 30 s; one beat now for the count below)
    about = await member.slash(channel, "about")
    fields = {f.name: f.value for f in about.response.embeds[0].fields}
    assert fields["Shard"] == "0 of 2"
    assert fields["Servers"] == f"{40 + len(bot.guilds)} across the bot"
    [mine] = [p for p in await bot.store.fleet.processes() if p.id == bot.store.token]
    assert (mine.shard_ids, mine.shard_count, mine.guilds) == ("0", 2, len(bot.guilds))
