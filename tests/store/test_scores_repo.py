"""store.scores: a server's quiz scores wiped, no other server's."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 111, 222


async def test_clear_removes_one_servers_scores_only(store):
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
    assert await store.scores.clear(GUILD) == 1
    assert await store.quiz.leaderboard(GUILD) == []
    assert len(await store.quiz.leaderboard(OTHER)) == 1
