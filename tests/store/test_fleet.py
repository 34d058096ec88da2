"""Work that must happen once even when two processes overlap, decided by the database.

Two stores on one database stand for two bot processes (on PostgreSQL they share nothing but the
server; on SQLite two connections to one file).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.quiz.questions import Name, Question
from bot.quiz.scoring import Points
from bot.quiz.session import Answer, RoundResult

pytestmark = pytest.mark.both_engines
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


async def test_two_processes_claiming_the_same_day_post_once(two_stores):
    first, second = two_stores
    await first.guilds.update(7, daily_channel_id=9, daily_hour=8)
    song = (await first.catalog.visible_song_ids(7))[0]
    claims = await asyncio.gather(first.daily.claim(7, "2026-01-02", song, 9),
                                  second.daily.claim(7, "2026-01-02", song, 9))
    assert sorted(c is not None for c in claims) == [False, True]
    assert len(await first.daily.posts(7)) == 1
    # A claim whose post failed in passing is opened again, and the next claim wins.
    await first.daily.fail(7, "2026-01-02", "503", previous="")
    assert await second.daily.claim(7, "2026-01-02", song, 9) is not None


async def test_a_days_claim_is_taken_over_once_its_claimer_is_silent_for_the_bots_stale_after(two_stores):
    """A claim not posted after TAKEOVER_AFTER is taken over unless its claimer's heartbeat is recent,
    and "recent" is the bot's own rule (Settings.stale_after, passed as `live_within`), not a constant."""
    first, second = two_stores
    await first.guilds.update(7, daily_channel_id=9, daily_hour=8)
    song = (await first.catalog.visible_song_ids(7))[0]
    claimed = dt.datetime(2026, 1, 2, 8, tzinfo=dt.UTC)
    assert await first.daily.claim(7, "2026-01-02", song, 9, claimed) is not None
    await first.fleet.heartbeat(host="h", pid=1, shard_count=None, shard_ids="", guilds=1, version="x",
                                started_at=claimed, now=claimed + dt.timedelta(minutes=10))
    later = claimed + dt.timedelta(minutes=11)  # the claimer's last beat a minute ago
    assert await second.daily.claim(7, "2026-01-02", song, 9, later, live_within=90) is None
    assert await second.daily.claim(7, "2026-01-02", song, 9, later, live_within=30) == ""
    assert await first.daily.claim(7, "2026-01-02", song, 9, later, live_within=30) is None  # taken once


async def test_a_round_closed_by_two_processes_is_scored_once(two_stores):
    first, second = two_stores
    game = await first.quiz.create_game(guild_id=7, channel_id=9, started_by=1, mode="buttons", topic="any",
                                        rounds=2, seconds=20, now=NOW)
    question = Question(key="q1", kind="song_drama", options=(Name("Goblin"), Name("Other")), correct=0,
                        accepted=("goblin",))
    result = RoundResult(1, question, (Answer(1, True, 1.0, Points(100, 10, 0), 1, "Goblin"),))
    written = await asyncio.gather(first.quiz.record_round(game, 7, 9, result, NOW),
                                   second.quiz.record_round(game, 7, 9, result, NOW))
    assert sorted(written) == [False, True]
    [row] = await first.quiz.leaderboard(7)
    assert (row.points, row.answered, row.correct) == (110, 1, 1)


async def test_each_process_sweeps_only_the_quizzes_of_its_own_servers(store):
    mine, theirs = (0 << 22) | 5, (1 << 22) | 5  # shards 0 and 1 of 2
    games = {}
    for guild in (mine, theirs):
        games[guild] = await store.quiz.create_game(guild_id=guild, channel_id=guild, started_by=1, mode="buttons",
                                                    topic="any", rounds=2, seconds=20, now=NOW)
    swept = await store.quiz.interrupt_running(NOW, owns=lambda guild: (guild >> 22) % 2 == 0)
    assert [g.game_id for g in swept] == [games[mine]]
    assert (await store.quiz.game(games[mine])).status == "interrupted"
    assert (await store.quiz.game(games[theirs])).status == "running"


async def test_heartbeats_record_the_fleet_and_forget_what_is_gone(two_stores):
    first, second = two_stores
    now = dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC)
    await first.fleet.heartbeat(host="a", pid=1, shard_count=4, shard_ids="0-1", guilds=10, version="1",
                                started_at=now - dt.timedelta(hours=1), now=now - dt.timedelta(seconds=20))
    await second.fleet.heartbeat(host="b", pid=2, shard_count=4, shard_ids="2-3", guilds=7, version="1",
                                 started_at=now, now=now)
    members = {m.id: m for m in await first.fleet.members(now)}
    assert members[first.token].shard_ids == (0, 1) and members[second.token].shard_ids == (2, 3)
    assert members[first.token].seconds_since_heartbeat == 20 and members[second.token].guilds == 7
    await second.fleet.heartbeat(host="b", pid=2, shard_count=4, shard_ids="2-3", guilds=9, version="1",
                                 started_at=now, now=now)  # an upsert: one row per process
    assert [p.guilds for p in await first.fleet.processes() if p.id == second.token] == [9]
    await second.fleet.forget()  # a clean stop
    assert [p.id for p in await first.fleet.processes()] == [first.token]
    # A process silent for a day (killed) is removed by any heartbeat after that.
    await second.fleet.heartbeat(host="b", pid=3, shard_count=4, shard_ids="2-3", guilds=1, version="1",
                                 started_at=now, now=now + dt.timedelta(days=1, seconds=30))
    assert [p.id for p in await first.fleet.processes()] == [second.token]
