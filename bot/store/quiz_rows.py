"""What the quiz's storage hands back: plain rows of its games, leaderboards and stats (`QuizRepo`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..quiz.session import Answer


@dataclass(frozen=True, slots=True)
class InterruptedGame:
    game_id: int
    guild_id: int
    channel_id: int
    message_id: int | None


@dataclass(frozen=True, slots=True)
class RunningGame:
    """A game left running, with what a new process needs to resume it."""

    game_id: int
    guild_id: int
    channel_id: int
    started_by: int
    mode: str
    topic: str
    seconds: int
    style: str
    lives: int | None
    teams: int | None
    message_id: int | None
    questions: list[Any] | None      # JSON-able, from bot.quiz (encode_questions, QuizSession.snapshot)
    state: dict[str, Any] | None
    round_at: float | None
    alive_at: float | None
    pending: tuple[Answer, ...]       # the answers given to its open round, as they were given
    owner: str | None = None          # the store token of the process that plays (or played) it
    owner_beat: str | None = None     # that process's last heartbeat, if it has a row in `processes`


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    user_id: int
    points: int
    games: int
    answered: int
    correct: int
    wins: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class TopicAccuracy:
    topic: str                   # a key of bot.quiz.questions.TOPICS ("dramas", "years", ...)
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class PlayerStats:
    games: int
    answered: int
    correct: int
    best_streak: int
    points: int
    favourite_drama_id: int | None
    wins: int = 0
    by_topic: tuple[TopicAccuracy, ...] = ()   # topics answered, in TOPICS order

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class GameRow:
    id: int
    guild_id: int
    channel_id: int
    status: str
    rounds_played: int
    message_id: int | None
