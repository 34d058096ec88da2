"""Song of the day: posted at the server's hour, once a day even across restarts, no recent repeats,
and a broken channel is reported once without a retry flood.

SimCord's clock starts at 2026-01-01 00:00 UTC (09:00 in Seoul); `env.advance_time` moves both the
event loop's timers and `discord.utils.utcnow()`, which the task reads.
"""

from __future__ import annotations

import datetime as dt
import logging

import discord
from simcord.backend.models.channel import Overwrite
from simcord.enums import OverwriteType

from bot.app import open_bot
from tests.helpers import text_of, utc
from tests.limits import assert_message_limits

HOUR = 3600
DAY = 24 * HOUR


def posts(channel) -> list[discord.Message]:
    marks = ("Song of the day", "오늘의 노래")
    return [m for m in channel.history() if any(mark in (m.content or "") for mark in marks)]


async def advance_to(env, when: dt.datetime) -> None:
    seconds = (when - env.now()).total_seconds()
    assert seconds >= 0
    await env.advance_time(seconds)




async def test_posts_at_the_hour_once_a_day_even_across_a_restart(world, simcord_env, settings):
    # 10:00 in Seoul is 01:00 UTC.
    saved = await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=10,
                                    timezone="Asia/Seoul")
    assert saved.response.ephemeral
    assert f"<t:{int(utc(2026, 1, 1, 1).timestamp())}:F>" in saved.response.content

    await advance_to(simcord_env, utc(2026, 1, 1, 0, 59))
    assert posts(world.channel) == []
    await advance_to(simcord_env, utc(2026, 1, 1, 1, 1))
    [first] = posts(world.channel)
    assert first.content.endswith("2026-01-01") and first.embeds and first.embeds[0].title.startswith("🎵")
    assert_message_limits(first)
    stored = await world.store.guilds.get(world.guild.id)
    assert stored.daily_last_date == "2026-01-01" and stored.daily_error is None
    [(day, _song_id, channel_id, message_id)] = await world.store.daily.posts(world.guild.id)
    assert (day, channel_id, message_id) == ("2026-01-01", world.channel.id, first.id)

    await simcord_env.advance_time(6 * HOUR)
    assert len(posts(world.channel)) == 1
    # A faithful restart the same (Seoul) day: nothing new.
    await simcord_env.bot.close()
    await simcord_env.restart_bot(await open_bot(settings))
    await advance_to(simcord_env, utc(2026, 1, 1, 14, 59))
    assert len(posts(world.channel)) == 1
    # Midnight in Seoul passed, but 10:00 has not.
    await advance_to(simcord_env, utc(2026, 1, 2, 0, 30))
    assert len(posts(world.channel)) == 1
    await advance_to(simcord_env, utc(2026, 1, 2, 1, 1))
    assert len(posts(world.channel)) == 2
    rows = await simcord_env.bot.store.daily.posts(world.guild.id)
    assert [r[0] for r in rows] == ["2026-01-01", "2026-01-02"]
    assert rows[0][1] != rows[1][1]  # another song


async def test_an_hour_already_past_starts_tomorrow(world, simcord_env):
    await simcord_env.advance_time(2 * HOUR)  # 02:00 UTC
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=1)
    await simcord_env.advance_time(12 * HOUR)
    assert posts(world.channel) == []
    await advance_to(simcord_env, utc(2026, 1, 2, 1, 0))
    assert len(posts(world.channel)) == 1


async def test_no_song_repeats_within_thirty_days_while_the_pool_allows(world, simcord_env):
    await world.admin.slash(world.channel, "config random", ballads_only=False)
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=12)
    pool = len(await world.store.catalog.visible_song_ids(world.guild.id))
    days = min(pool, 12)
    for _ in range(days):  # one day per step: each advance_time has its own settle deadline
        await simcord_env.advance_time(DAY)
    rows = await world.store.daily.posts(world.guild.id)
    assert len(rows) == days
    assert len({r[1] for r in rows}) == days


async def test_daily_off_stops_posting(world, simcord_env):
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=6)
    off = await world.admin.slash(world.channel, "config daily-off")
    assert off.response.ephemeral and "off" in off.response.content
    await simcord_env.advance_time(2 * DAY)
    assert posts(world.channel) == []
    shown = await world.admin.slash(world.channel, "config show")
    assert "Song of the day\noff" in text_of(shown.response)


async def test_posts_in_the_servers_language(world, simcord_env):
    await world.admin.slash(world.channel, "config language", language="ko")
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=3)
    await simcord_env.advance_time(4 * HOUR)
    [post] = posts(world.channel)
    assert post.content.startswith("🌙 **오늘의 노래**")


async def test_a_deleted_channel_is_reported_once_without_a_retry_flood(world, simcord_env, caplog):
    daily = world.guild.create_text_channel("daily")
    await world.admin.slash(world.channel, "config daily", channel=daily, hour=5)
    simcord_env.backend.delete_channel(daily.id)
    caplog.set_level(logging.DEBUG, logger="bot.cogs.daily")
    for _ in range(3):
        await simcord_env.advance_time(DAY)
    warnings = [r for r in caplog.records if r.name == "bot.cogs.daily" and r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "channel" in warnings[0].getMessage()
    attempts = [r for r in caplog.records if r.name == "bot.cogs.daily"]
    assert len(attempts) == 3  # one try a day, not a loop
    stored = await world.store.guilds.get(world.guild.id)
    assert stored.daily_error == "channel_missing" and stored.daily_last_date == "2026-01-03"
    assert await world.store.daily.posts(world.guild.id) == []
    shown = await world.admin.slash(world.channel, "config show")
    assert "Last problem: the channel was deleted" in text_of(shown.response)


async def test_a_lost_permission_is_shown_and_fixed_by_reconfiguring(world, simcord_env):
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=5)
    deny = Overwrite(target_id=simcord_env.bot.user.id, type=OverwriteType.MEMBER,
                     deny=discord.Permissions(send_messages=True).value)
    simcord_env.backend.edit_channel(world.channel.id, {}, overwrites=[deny])
    await simcord_env.advance_time(6 * HOUR)
    assert (await world.store.guilds.get(world.guild.id)).daily_error == "no_permission"
    shown = await world.admin.slash(world.channel, "config show")
    assert "I may not post there" in text_of(shown.response)

    fresh = world.guild.create_text_channel("songs")
    await world.admin.slash(world.channel, "config daily", channel=fresh, hour=5)
    assert (await world.store.guilds.get(world.guild.id)).daily_error is None
    await simcord_env.advance_time(DAY)
    assert len(posts(fresh)) == 1


async def test_a_passing_discord_error_is_retried_later_the_same_day(world, simcord_env):
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=2)
    simcord_env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=503)
    await advance_to(simcord_env, utc(2026, 1, 1, 2, 1))
    assert posts(world.channel) == []
    stored = await world.store.guilds.get(world.guild.id)
    assert stored.daily_error == "send_failed" and stored.daily_last_date is None
    await simcord_env.advance_time(15 * 60)
    assert len(posts(world.channel)) == 1
    assert (await world.store.guilds.get(world.guild.id)).daily_error is None


async def test_a_server_with_nothing_to_post_is_looked_at_again_later_not_every_second(world, simcord_env):
    """Every song hidden: no post, and the task looks again in 15 minutes (it once spun each second)."""
    store = world.store
    for song_id in await store.catalog.visible_song_ids(world.guild.id):
        assert await store.additions.hide(world.guild.id, song_id)
    assert await store.catalog.visible_song_ids(world.guild.id) == []
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=10, timezone="Asia/Seoul")
    looks = 0
    candidates = store.daily.candidates

    async def counting(*args, **kwargs):
        nonlocal looks
        looks += 1
        return await candidates(*args, **kwargs)

    store.daily.candidates = counting
    await advance_to(simcord_env, utc(2026, 1, 1, 2, 1))  # an hour past the post's time
    assert posts(world.channel) == []
    assert 1 <= looks <= 6, looks  # once, then every 15 minutes
    assert (await store.guilds.get(world.guild.id)).daily_last_date is None  # the day stays open


async def test_a_claim_left_by_a_dead_process_is_taken_over_and_posted(world, simcord_env, settings, database):
    """Another process claimed today's post at 09:00 and died before posting: ten minutes later the
    owner of the server takes the claim over and posts, once. A live claimer keeps its claim."""
    from bot.store import Store

    saved = await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=9, timezone="UTC")
    assert saved.response.ephemeral
    dead = await Store.open(database)  # the process that claimed and died (no heartbeat of its own)
    try:
        song = (await dead.catalog.visible_song_ids(world.guild.id))[0]
        assert await dead.daily.claim(world.guild.id, "2026-01-01", song, world.channel.id,
                                                utc(2026, 1, 1, 9)) == ""
    finally:
        await dead.close()
    await advance_to(simcord_env, utc(2026, 1, 1, 9, 5))
    assert posts(world.channel) == []  # too early to call the claimer dead
    await advance_to(simcord_env, utc(2026, 1, 1, 9, 11))
    [post] = posts(world.channel)
    [(day, _song, channel_id, message_id)] = await world.store.daily.posts(world.guild.id)
    assert (day, channel_id, message_id) == ("2026-01-01", world.channel.id, post.id)
    await simcord_env.advance_time(3 * HOUR)
    assert len(posts(world.channel)) == 1

    # The next day a live process claims first and is still posting: its claim is left alone.
    live = await Store.open(database)
    try:
        await live.fleet.heartbeat(host="h", pid=1, shard_count=None, shard_ids="", guilds=1, version="x",
                                   started_at=utc(2026, 1, 2, 8), now=utc(2026, 1, 2, 9, 20))
        assert await live.daily.claim(world.guild.id, "2026-01-02", song, world.channel.id,
                                                utc(2026, 1, 2, 8, 59)) == "2026-01-01"
        await advance_to(simcord_env, utc(2026, 1, 2, 9, 15))
        assert len(posts(world.channel)) == 1
    finally:
        await live.close()
