"""The quiz state machine: rounds, answers, streaks and standings.

A `QuizSession` holds everything about one running quiz and never touches storage or
Discord: the cog asks it to open a round, feeds it answers (with the event loop's time),
closes the round and writes the returned `RoundResult` through the store in one
transaction. `SessionRegistry` finds the session for a channel or a game id.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from .matching import AnswerMatcher
from .questions import Question
from .scoring import Points, score_answer

IDLE_ROUNDS_TO_END = 2


class Outcome(enum.Enum):
    LOCKED = "locked"            # answer taken
    ALREADY = "already"          # this member already answered this round
    CLOSED = "closed"            # the round is over (or it is another round)


class EndReason(enum.Enum):
    FINISHED = "finished"        # every round played
    STOPPED = "stopped"          # /quiz stop
    IDLE = "idle"                # two rounds in a row without answers


@dataclass(slots=True)
class Answer:
    user_id: int
    correct: bool
    elapsed: float
    points: Points
    streak: int
    given: str                   # the option label or the typed text, for the private receipt


@dataclass(slots=True)
class Player:
    user_id: int
    points: int = 0
    answered: int = 0
    correct: int = 0
    streak: int = 0
    best_streak: int = 0
    first_answer_at: float = 0.0


@dataclass(frozen=True, slots=True)
class RoundResult:
    number: int                  # 1-based
    question: Question
    answers: tuple[Answer, ...]  # in answer order

    @property
    def winners(self) -> tuple[Answer, ...]:
        return tuple(a for a in self.answers if a.correct)


@dataclass(slots=True)
class QuizSession:
    game_id: int
    guild_id: int
    channel_id: int
    starter_id: int
    mode: str                    # "buttons" | "typed"
    seconds: int
    topic: str
    questions: list[Question]
    language: str = "auto"       # the server's language setting, so clicks need no store read
    round_number: int = 0        # 1-based once started; 0 before the first round
    round_open: bool = False
    round_started_at: float = 0.0
    idle_rounds: int = 0
    end_reason: EndReason | None = None
    players: dict[int, Player] = field(default_factory=dict)
    _answers: dict[int, Answer] = field(default_factory=dict)
    _matcher: AnswerMatcher | None = None
    message_id: int | None = None

    @property
    def total_rounds(self) -> int:
        return len(self.questions)

    @property
    def question(self) -> Question:
        return self.questions[self.round_number - 1]

    @property
    def over(self) -> bool:
        return self.end_reason is not None

    @property
    def answer_count(self) -> int:
        return len(self._answers)

    def has_answered(self, user_id: int) -> bool:
        return user_id in self._answers

    # -- rounds -------------------------------------------------------------------------

    def open_round(self, now: float) -> Question:
        if self.over or self.round_open:
            raise RuntimeError("cannot open a round now")
        if self.round_number >= self.total_rounds:
            raise RuntimeError("no rounds left")
        self.round_number += 1
        self.round_open = True
        self.round_started_at = now
        self._answers = {}
        q = self.question
        self._matcher = AnswerMatcher(q.accepted) if self.mode == "typed" else None
        return q

    def accepts(self, round_number: int) -> bool:
        return self.round_open and round_number == self.round_number and not self.over

    def answer_option(self, user_id: int, round_number: int, option: int, now: float) -> Outcome:
        if not self.accepts(round_number) or not 0 <= option < len(self.question.options):
            return Outcome.CLOSED
        return self._take(user_id, option == self.question.correct, now, self.question.options[option].text)

    def answer_text(self, user_id: int, round_number: int, text: str, now: float) -> Outcome:
        if not self.accepts(round_number):
            return Outcome.CLOSED
        matcher = self._matcher or AnswerMatcher(self.question.accepted)
        return self._take(user_id, matcher.matches(text), now, text)

    def _take(self, user_id: int, correct: bool, now: float, given: str) -> Outcome:
        if user_id in self._answers:
            return Outcome.ALREADY
        player = self.players.get(user_id)
        if player is None:
            player = self.players[user_id] = Player(user_id, first_answer_at=now)
        elapsed = max(0.0, now - self.round_started_at)
        streak = player.streak + 1 if correct else 0
        points = score_answer(correct, elapsed, self.seconds, streak)
        self._answers[user_id] = Answer(user_id, correct, elapsed, points, streak, given)
        return Outcome.LOCKED

    def close_round(self) -> RoundResult:
        """End the round in progress: apply its answers, decide whether the quiz goes on."""
        if not self.round_open:
            raise RuntimeError("no round in progress")
        self.round_open = False
        answers = tuple(self._answers.values())
        for player in self.players.values():
            answer = self._answers.get(player.user_id)
            if answer is None:
                player.streak = 0  # a missed round breaks the streak
                continue
            player.answered += 1
            player.points += answer.points.total
            player.streak = answer.streak
            if answer.correct:
                player.correct += 1
                player.best_streak = max(player.best_streak, answer.streak)
        self.idle_rounds = 0 if answers else self.idle_rounds + 1
        if self.end_reason is None:
            if self.idle_rounds >= IDLE_ROUNDS_TO_END:
                self.end_reason = EndReason.IDLE
            elif self.round_number >= self.total_rounds:
                self.end_reason = EndReason.FINISHED
        return RoundResult(self.round_number, self.question, answers)

    def stop(self) -> None:
        """Ask the quiz to end after the round in progress (which closes at once)."""
        if self.end_reason is None:
            self.end_reason = EndReason.STOPPED

    def standings(self) -> list[Player]:
        """Players by points, then correct answers, then who answered first."""
        return sorted(self.players.values(), key=lambda p: (-p.points, -p.correct, p.first_answer_at, p.user_id))


class SessionRegistry:
    """The running sessions of this process, by channel and by game id."""

    def __init__(self) -> None:
        self._by_channel: dict[int, QuizSession] = {}
        self._by_game: dict[int, QuizSession] = {}

    def add(self, session: QuizSession) -> None:
        if session.channel_id in self._by_channel:
            raise KeyError(f"channel {session.channel_id} already has a quiz")
        self._by_channel[session.channel_id] = session
        self._by_game[session.game_id] = session

    def remove(self, session: QuizSession) -> None:
        if self._by_channel.get(session.channel_id) is session:
            del self._by_channel[session.channel_id]
        self._by_game.pop(session.game_id, None)

    def for_channel(self, channel_id: int) -> QuizSession | None:
        return self._by_channel.get(channel_id)

    def for_game(self, game_id: int) -> QuizSession | None:
        return self._by_game.get(game_id)

    def __iter__(self) -> Iterator[QuizSession]:
        return iter(list(self._by_channel.values()))

    def __len__(self) -> int:
        return len(self._by_channel)
