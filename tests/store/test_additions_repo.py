"""store.additions: a server's songs, hidden songs, song-of-the-day bookkeeping, score reset."""

from __future__ import annotations

import pytest

from bot.catalog.records import SongRecord

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 111, 222


async def add(store, title: str, drama: str, *artists: str, guild: int = GUILD) -> int:
    report = await store.catalog.import_records([SongRecord(title=title, artists=list(artists), drama=drama)],
                                                guild_id=guild, origin="guild", added_by=5)
    return report.song_ids[0]


async def test_remove_an_addition_drops_its_own_drama_and_artist_but_not_shared_ones(store):
    song = await add(store, "Winter Letter", "Snow Road", "Han Seoyun", "Punch")
    keep = await add(store, "Other Song", "Snow Road", "Someone")
    generation = store.catalog.generation
    assert await store.additions.remove_addition(OTHER, song) is False  # not theirs
    assert await store.additions.remove_addition(GUILD, song) is True
    assert store.catalog.generation == generation + 1
    assert [line.title for line in await store.additions.additions(GUILD)] == ["Other Song"]
    export = await store.catalog.export_records(GUILD)
    assert [(r.title, r.drama) for r in export] == [("Other Song", "Snow Road")]  # the drama stays: still used
    # Han Seoyun was only on the removed song; Punch is a shipped artist and stays.
    counts = await store.catalog.counts(GUILD)
    assert counts.guild_songs == 1
    assert keep in await store.catalog.visible_song_ids(GUILD)
    await store.additions.remove_addition(GUILD, keep)
    assert await store.catalog.counts(GUILD) == await store.catalog.counts(None)  # nothing of ours is left


async def test_hide_only_shipped_songs_and_only_here(store):
    shipped = (await store.catalog.visible_song_ids(None))[0]
    own = await add(store, "Winter Letter", "Snow Road", "Han Seoyun")
    assert await store.additions.hide(GUILD, own) is False
    assert await store.additions.hide(GUILD, shipped) is True
    assert await store.additions.hide(GUILD, shipped) is False
    assert shipped not in await store.catalog.visible_song_ids(GUILD)
    assert shipped in await store.catalog.visible_song_ids(OTHER)
    assert [line.id for line in await store.additions.hidden(GUILD)] == [shipped]
    assert shipped not in [line.id for line in await store.additions.shipped_visible(GUILD, "", 100)]
    assert await store.additions.unhide(GUILD, shipped) is True
    assert shipped in await store.catalog.visible_song_ids(GUILD)


async def test_search_lines_match_titles_and_dramas(store):
    await add(store, "Winter Letter", "Snow Road", "Han Seoyun")
    assert [line.title for line in await store.additions.additions(GUILD, "snow")] == ["Winter Letter"]
    assert [line.title for line in await store.additions.additions(GUILD, "letter")] == ["Winter Letter"]
    assert await store.additions.additions(GUILD, "nothing like it") == []
    assert await store.additions.additions(OTHER) == []


async def test_claim_daily_once_per_day_and_failures(store):
    await store.guilds.update(GUILD, daily_channel_id=9, daily_hour=8)
    song = (await store.catalog.visible_song_ids(GUILD))[0]
    assert await store.additions.claim_daily(GUILD, "2026-01-01", song, 9) == ""
    assert await store.additions.claim_daily(GUILD, "2026-01-01", song, 9) is None
    await store.additions.finish_daily(GUILD, "2026-01-01", 1234)
    assert await store.additions.daily_posts(GUILD) == [("2026-01-01", song, 9, 1234)]
    assert await store.additions.daily_history(GUILD) == {song: "2026-01-01"}

    # A lasting failure: the day is used up, nothing posted, the reason kept.
    previous = await store.additions.claim_daily(GUILD, "2026-01-02", song, 9)
    assert previous == "2026-01-01"
    await store.additions.fail_daily(GUILD, "2026-01-02", "no_permission")
    settings = await store.guilds.get(GUILD)
    assert (settings.daily_last_date, settings.daily_error) == ("2026-01-02", "no_permission")
    assert await store.additions.last_daily_post(GUILD) == "2026-01-01"

    # A passing failure: the day opens again.
    previous = await store.additions.claim_daily(GUILD, "2026-01-03", song, 9)
    await store.additions.fail_daily(GUILD, "2026-01-03", "send_failed", previous=previous)
    assert (await store.guilds.get(GUILD)).daily_last_date == "2026-01-02"
    assert await store.additions.claim_daily(GUILD, "2026-01-03", song, 9) == "2026-01-02"


async def test_clear_quiz_scores_of_one_server_only(store):
    import datetime as dt

    from bot.quiz.questions import Name, Question
    from bot.quiz.scoring import Points
    from bot.quiz.session import Answer, RoundResult

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    question = Question(key="q1", kind="song_drama", options=(Name("Goblin"), Name("Other")), correct=0,
                        accepted=("goblin",))
    for guild, channel in ((GUILD, 1), (OTHER, 2)):
        game = await store.quiz.create_game(guild_id=guild, channel_id=channel, started_by=7, mode="buttons",
                                            topic="any", rounds=1, seconds=20, now=now)
        answer = Answer(user_id=7, correct=True, elapsed=1.0, points=Points(100, 10, 0), streak=1, given="Goblin")
        await store.quiz.record_round(game, guild, channel, RoundResult(1, question, (answer,)), now,
                                      end_status="finished")
    assert await store.quiz.leaderboard(GUILD) and await store.quiz.leaderboard(OTHER)
    assert await store.additions.clear_quiz_scores(GUILD) == 1
    assert await store.quiz.leaderboard(GUILD) == []
    assert len(await store.quiz.leaderboard(OTHER)) == 1
