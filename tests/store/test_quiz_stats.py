"""Quiz statistics in the store, both engines: leaderboards by points, wins or correct answers over a
period, a player's accuracy by topic, best streak and wins, and a server's scores reset.

A win: the top score (at least one point) of a game played to its end (status finished or idle);
players tied at the top all win; stopped and interrupted games have no winner."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.quiz.questions import Name, Question
from bot.quiz.scoring import Points
from bot.quiz.session import Answer, RoundResult

pytestmark = pytest.mark.both_engines

GUILD, CHANNEL = 900, 901
ALICE, BOB, CAROL, DAVE = 11, 12, 13, 14
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def question(kind: str, n: int) -> Question:
    return Question(f"{kind}:{n}", kind, (Name("a"), Name("b"), Name("c"), Name("d")), 0, ("a",))


async def play(store, when: dt.datetime, status: str, rounds: list[tuple[str, dict[int, int]]]) -> int:
    """One game: each round a question of `kind` and each player's points (0: a wrong answer)."""
    game = await store.quiz.create_game(guild_id=GUILD, channel_id=CHANNEL, started_by=ALICE, mode="buttons",
                                        topic="any", rounds=len(rounds), seconds=20, now=when)
    streaks: dict[int, int] = {}
    for number, (kind, points) in enumerate(rounds, 1):
        answers = []
        for user, got in points.items():
            streaks[user] = streaks.get(user, 0) + 1 if got else 0
            answers.append(Answer(user, got > 0, 1.0, Points(got, 0, 0), streaks[user], "a"))
        last = number == len(rounds)
        await store.quiz.record_round(game, GUILD, CHANNEL, RoundResult(number, question(kind, game * 100 + number),
                                                                       tuple(answers)),
                                      when, end_status=status if last else None)
    return game


@pytest.fixture
async def history(store):
    old = NOW - dt.timedelta(days=8)
    # finished: Alice tops it alone
    await play(store, NOW, "finished", [("drama_of_song", {ALICE: 150, BOB: 0}), ("year_of_song", {ALICE: 100})])
    # finished: Alice and Bob tie at the top, both win
    await play(store, NOW, "finished", [("lead_actor", {ALICE: 100, BOB: 100, CAROL: 0})])
    # stopped: Bob's 300 points count as points, but nobody wins a stopped game
    await play(store, NOW, "stopped", [("artist_of_song", {BOB: 300})])
    # finished with no points at all: no winner
    await play(store, NOW, "finished", [("song_from_fact", {CAROL: 0, DAVE: 0})])
    # idle (ended for want of players): Carol wins
    await play(store, NOW, "idle", [("song_of_drama", {CAROL: 50})])
    # eight days ago: Bob wins; outside the week
    await play(store, old, "finished", [("song_from_fact", {BOB: 120, DAVE: 100})])
    return store


async def board(store, rank_by: str, days: int | None = None, user: int | None = None):
    since = NOW - dt.timedelta(days=days) if days else None
    rows = await store.quiz.leaderboard(GUILD, since=since, rank_by=rank_by, user_id=user)
    return [(r.user_id, r.wins, r.points, r.correct) for r in rows]


async def test_leaderboard_by_wins_points_and_correct(history):
    store = history
    assert await board(store, "wins") == [
        (BOB, 2, 520, 3), (ALICE, 2, 350, 3), (CAROL, 1, 50, 1), (DAVE, 0, 100, 1)]
    assert await board(store, "wins", days=7) == [
        (ALICE, 2, 350, 3), (BOB, 1, 400, 2), (CAROL, 1, 50, 1), (DAVE, 0, 0, 0)]
    assert await board(store, "points", days=7) == [
        (BOB, 1, 400, 2), (ALICE, 2, 350, 3), (CAROL, 1, 50, 1), (DAVE, 0, 0, 0)]
    assert await board(store, "correct") == [  # equal correct answers: the fewer tries first (3 of 3, 3 of 4)
        (ALICE, 2, 350, 3), (BOB, 2, 520, 3), (DAVE, 0, 100, 1), (CAROL, 1, 50, 1)]
    assert [r[0] for r in await board(store, "correct", days=7)] == [ALICE, BOB, CAROL, DAVE]
    # another server's board is its own
    assert await store.quiz.leaderboard(GUILD + 1, rank_by="wins") == []


async def test_the_callers_row_follows_the_top(history):
    rows = await history.quiz.leaderboard(GUILD, rank_by="wins", limit=2, user_id=DAVE)
    assert [(r.rank, r.user_id) for r in rows] == [(1, BOB), (2, ALICE), (4, DAVE)]


async def test_player_stats_by_topic_streak_and_wins(history):
    alice = await history.quiz.player_stats(GUILD, ALICE)
    assert (alice.games, alice.answered, alice.correct, alice.best_streak, alice.points, alice.wins) == (
        2, 3, 3, 2, 350, 2)
    assert [(a.topic, a.answered, a.correct) for a in alice.by_topic] == [
        ("dramas", 1, 1), ("years", 1, 1), ("actors", 1, 1)]
    dave = await history.quiz.player_stats(GUILD, DAVE)
    assert [(a.topic, a.answered, a.correct, a.accuracy) for a in dave.by_topic] == [("facts", 2, 1, 0.5)]
    assert dave.wins == 0
    carol = await history.quiz.player_stats(GUILD, CAROL)
    assert [(a.topic, a.answered, a.correct) for a in carol.by_topic] == [
        ("dramas", 1, 1), ("facts", 1, 0), ("actors", 1, 0)]
    assert carol.wins == 1
    assert await history.quiz.player_stats(GUILD + 1, ALICE) is None


async def test_points_per_week_oldest_first(history):
    assert await history.quiz.weekly_points(GUILD, BOB, NOW, weeks=3) == (0, 120, 400)
    assert await history.quiz.weekly_points(GUILD, ALICE, NOW) == (0,) * 7 + (350,)
    # a week later, this week's points are last week's; another server has none
    assert await history.quiz.weekly_points(GUILD, ALICE, NOW + dt.timedelta(days=7), weeks=2) == (350, 0)
    assert await history.quiz.weekly_points(GUILD + 1, ALICE, NOW) == (0,) * 8


async def test_a_ranking_is_kept_until_the_servers_scores_change(history):
    store = history
    boards = store.quiz._boards
    first = await board(store, "points")
    computed = boards.computed
    assert await board(store, "points") == first and boards.computed == computed   # kept
    assert await board(store, "points", user=DAVE) == first and boards.computed == computed
    await play(store, NOW, "finished", [("drama_of_song", {DAVE: 1000})])   # a round recorded: ranked again
    assert (await board(store, "points"))[0] == (DAVE, 1, 1100, 2) and boards.computed == computed + 1
    other = await store.quiz.create_game(guild_id=GUILD + 1, channel_id=CHANNEL, started_by=ALICE, mode="buttons",
                                         topic="any", rounds=1, seconds=20, now=NOW)
    await store.quiz.end_game(other, "stopped", NOW)   # another server's game, and no win: nothing to redo
    await board(store, "points")
    assert boards.computed == computed + 1
    assert await store.quiz.clear_scores(GUILD) > 0
    assert await board(store, "points") == []


async def test_a_write_by_another_process_is_seen(two_stores):
    mine, theirs = two_stores
    await play(mine, NOW, "finished", [("drama_of_song", {ALICE: 100})])
    assert await board(mine, "points") == [(ALICE, 1, 100, 1)]
    await play(theirs, NOW, "finished", [("drama_of_song", {BOB: 300})])
    assert await board(mine, "points") == [(BOB, 1, 300, 1), (ALICE, 1, 100, 1)]


async def test_clear_scores_removes_one_servers_scores_only(store):
    """QuizRepo.clear_scores (/config reset-scores): a server's answers wiped, no other server's."""
    guild, other = 111, 222
    for server, channel in ((guild, 1), (other, 2)):
        game = await store.quiz.create_game(guild_id=server, channel_id=channel, started_by=7, mode="buttons",
                                            topic="any", rounds=1, seconds=20, now=NOW)
        answer = Answer(user_id=7, correct=True, elapsed=1.0, points=Points(100, 10, 0), streak=1, given="a")
        await store.quiz.record_round(game, server, channel, RoundResult(1, question("drama_of_song", 1), (answer,)),
                                      NOW, end_status="finished")
    assert await store.quiz.leaderboard(guild) and await store.quiz.leaderboard(other)
    assert await store.quiz.clear_scores(guild) == 1
    assert await store.quiz.leaderboard(guild) == []
    assert len(await store.quiz.leaderboard(other)) == 1
