"""A question and a session for the rule and game tests, without a catalog."""

from __future__ import annotations

from typing import Any

from bot.quiz.questions import Name, Question
from bot.quiz.session import QuizSession


def question(n: int = 0, answer: str = "Bravo") -> Question:
    return Question(key=f"q{n}", kind="drama_of_song", options=(Name("A"), Name(answer, "브라보"), Name("C"),
                                                                Name("D")), correct=1, accepted=(answer, "브라보"))


def session(rounds: int = 3, mode: str = "buttons", **kwargs: Any) -> QuizSession:
    return QuizSession(game_id=1, guild_id=2, channel_id=3, starter_id=4, mode=mode, seconds=20, topic="any",
                       questions=[question(i) for i in range(rounds)], **kwargs)
