"""What a running quiz keeps in the store so that a new process resumes it, on
both engines: its questions and state, the answers of its open round as given, exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.quiz.game import decode_questions, encode_questions
from bot.quiz.questions import Name, Question
from bot.quiz.session import QuizSession
from bot.store import Store

pytestmark = pytest.mark.both_engines
NOW = dt.datetime(2026, 1, 1, 12, 0, 0, 250000, tzinfo=dt.UTC)


def questions() -> list[Question]:
    return [Question(f"year_of_song:{n}", "year_of_song", (Name("1"), Name("2", "이"), Name("3"), Name("4")), 1,
                     ("2", "이")) for n in range(3)]


async def start(store, channel: int = 30, **kwargs) -> tuple[int, QuizSession]:
    qs = questions()
    session = QuizSession(0, 20, channel, 7, "buttons", 20, "any", qs, style="elimination", lives=2)
    game = await store.quiz.create_game(guild_id=20, channel_id=channel, started_by=7, mode="buttons", topic="any",
                                        rounds=3, seconds=20, now=NOW, style="elimination", lives=2,
                                        questions=encode_questions(qs), state=session.snapshot(), **kwargs)
    session.game_id = game
    return game, session


async def test_a_running_game_comes_back_with_its_questions_state_and_open_round_answers(store, database):
    game, session = await start(store)
    session.open_round(0.0)
    posted = NOW + dt.timedelta(seconds=1.5)
    state = session.snapshot()
    await store.quiz.save_state(game, state, posted, message_id=555, round_at=posted)
    session.answer_option(100, 1, 1, 2.0)
    session.answer_option(101, 1, 0, 3.0)
    await store.quiz.add_answer(game, 1, session.answer_of(100))
    await store.quiz.add_answer(game, 1, session.answer_of(101))
    await store.quiz.add_answer(game, 1, session.answer_of(100))  # kept once
    other_game, _ = await start(store, channel=31)

    other = await Store.open(database)  # a new process
    try:
        [row, second] = await other.quiz.running_games()
    finally:
        await other.close()
    assert (row.game_id, second.game_id) == (game, other_game)
    assert decode_questions(row.questions) == session.questions
    assert (row.style, row.lives, row.teams, row.message_id) == ("elimination", 2, None, 555)
    assert row.state == state and row.state["open"] is True
    assert row.round_at == pytest.approx(posted.timestamp()) and row.alive_at == pytest.approx(posted.timestamp())
    assert [(p.user_id, p.correct, p.points.total) for p in row.pending] == [
        (100, True, session.answer_of(100).points.total), (101, False, 0)]
    assert second.pending == ()
    assert await store.quiz.running_games(owns=lambda guild: guild != 20) == []


async def test_recording_the_round_moves_its_answers_once_whichever_process_records(two_stores):
    first, second = two_stores
    game, session = await start(first)
    session.open_round(0.0)
    session.answer_option(100, 1, 1, 2.0)
    await first.quiz.add_answer(game, 1, session.answer_of(100))
    result = session.close_round()
    written = await asyncio.gather(
        first.quiz.record_round(game, 20, 30, result, NOW, state=session.snapshot()),
        second.quiz.record_round(game, 20, 30, result, NOW, state=session.snapshot()))
    assert sorted(written) == [False, True]
    assert [(r.user_id, r.answered) for r in await first.quiz.leaderboard(20)] == [(100, 1)]
    assert (await first.table_counts())["quiz_answers"] == 1
    assert (await first.table_counts())["quiz_pending_answers"] == 0
    [row] = await first.quiz.running_games()
    assert row.state["round"] == 1 and row.state["open"] is False and row.pending == ()


async def test_of_two_processes_taking_over_a_game_one_does(two_stores):
    first, second = two_stores
    game, _ = await start(first)
    assert (await second.quiz.running_games())[0].owner == first.token
    async with first.transaction() as tx:  # it was started by a third process, which has stopped since
        await tx.execute("UPDATE quiz_games SET owner = 'gone'")
    [row] = await second.quiz.running_games()
    assert row.owner == "gone" and row.owner_beat is None  # no heartbeat row: not known to be alive
    taken = await asyncio.gather(first.quiz.claim(game, row.owner), second.quiz.claim(game, row.owner))
    assert sorted(taken) == [False, True]
    [after] = await first.quiz.running_games()
    assert after.owner == (first.token if taken[0] else second.token)
