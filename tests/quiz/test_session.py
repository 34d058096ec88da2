"""The round/session state machine, without Discord or storage."""

from __future__ import annotations

from bot.quiz.questions import Name, Question
from bot.quiz.session import EndReason, Outcome, QuizSession, SessionRegistry


def question(n: int) -> Question:
    return Question(key=f"q{n}", kind="drama_of_song", options=(Name("A"), Name("B"), Name("C"), Name("D")),
                    correct=1, accepted=("Bravo", "브라보"))


def session(rounds: int = 3, mode: str = "buttons") -> QuizSession:
    return QuizSession(game_id=1, guild_id=2, channel_id=3, starter_id=4, mode=mode, seconds=20, topic="any",
                       questions=[question(i) for i in range(rounds)])


def test_one_answer_per_member_per_round_and_closed_rounds():
    s = session()
    s.open_round(100.0)
    assert s.answer_option(10, 1, 1, 100.0) is Outcome.LOCKED
    assert s.answer_option(10, 1, 0, 101.0) is Outcome.ALREADY
    assert s.answer_option(11, 2, 1, 101.0) is Outcome.CLOSED   # not this round
    assert s.answer_option(11, 1, 7, 101.0) is Outcome.CLOSED   # no such option
    result = s.close_round()
    assert [a.user_id for a in result.winners] == [10]
    assert result.winners[0].points.total == 150
    assert s.answer_option(12, 1, 1, 102.0) is Outcome.CLOSED


def test_streaks_speed_and_standings():
    s = session(3)
    s.open_round(0.0)
    s.answer_option(10, 1, 1, 0.0)      # right, instantly: 150
    s.answer_option(11, 1, 0, 1.0)      # wrong
    s.close_round()
    s.open_round(30.0)
    s.answer_option(10, 2, 1, 40.0)     # right after 10 s, streak 2: 100 + 25 + 10
    s.answer_option(11, 2, 1, 30.0)     # right, instantly: 150
    s.close_round()
    s.open_round(60.0)                  # 10 misses this round: streak broken
    s.answer_option(11, 3, 1, 80.0)     # right at the deadline, streak 2: 100 + 0 + 10
    result = s.close_round()
    assert result.answers[0].streak == 2
    alice, bob = s.players[10], s.players[11]
    assert (alice.points, alice.correct, alice.answered, alice.streak, alice.best_streak) == (285, 2, 2, 0, 2)
    assert (bob.points, bob.correct, bob.answered, bob.best_streak) == (260, 2, 3, 2)
    assert [p.user_id for p in s.standings()] == [10, 11]
    assert s.end_reason is EndReason.FINISHED and s.over


def test_two_empty_rounds_end_the_quiz():
    s = session(5)
    s.open_round(0.0)
    s.close_round()
    assert not s.over
    s.open_round(1.0)
    s.answer_option(10, 2, 0, 1.0)
    s.close_round()
    s.open_round(2.0)
    s.close_round()
    assert not s.over
    s.open_round(3.0)
    s.close_round()
    assert s.end_reason is EndReason.IDLE


def test_typed_answers_use_the_accepted_names():
    s = session(1, mode="typed")
    s.open_round(0.0)
    assert s.answer_text(10, 1, "브라보", 1.0) is Outcome.LOCKED
    assert s.answer_text(11, 1, "bread", 1.0) is Outcome.LOCKED
    assert s.answer_text(10, 1, "bravo", 1.0) is Outcome.ALREADY
    result = s.close_round()
    assert [(a.user_id, a.correct) for a in result.answers] == [(10, True), (11, False)]


def test_stop_ends_after_the_round_in_progress():
    s = session(3)
    s.open_round(0.0)
    s.stop()
    s.close_round()
    assert s.end_reason is EndReason.STOPPED


def test_registry_by_channel_and_game():
    registry = SessionRegistry()
    s = session()
    registry.add(s)
    assert registry.for_channel(3) is s and registry.for_game(1) is s and len(registry) == 1
    try:
        registry.add(session())
        raise AssertionError("a second quiz in one channel must be refused")
    except KeyError:
        pass
    registry.remove(s)
    assert registry.for_channel(3) is None and registry.for_game(1) is None
