"""The quiz state machine: rounds, answers, streaks, hints, skips, lives, teams and standings.

A `QuizSession` holds everything about one running quiz and never touches storage or
Discord: the game loop (`bot.quiz.game`) asks it to open a round, feeds it answers, votes and
team choices (with the event loop's time), closes the round and hands the returned
`RoundResult` to be written in one transaction. `snapshot()`/`restore()` turn the whole
state into plain JSON-able data, so a restarted bot resumes the game. `SessionRegistry`
finds the session for a channel or a game id.

Rules:
- styles: classic; elimination (each player starts with `lives`; once joined, a wrong answer or
  no answer costs one; the last player standing wins); teams (two to four; points add up per team).
- hints (typed rounds): the starter or a manager alone, or a majority of the players who have answered
  in this game (and are still in it); each one takes `HINT_COST` off the base points of the answers
  given after it.
- skips: the starter or a manager alone, or a majority of those same players, ends the round at once.
- a member who has not answered in this game counts for nothing in either vote, also before anyone has
  answered (then only the starter or a manager decides): a bystander cannot run someone else's quiz.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .matching import AnswerMatcher, is_blank
from .questions import Question
from .scoring import MAX_HINTS, Points, score_answer

IDLE_ROUNDS_TO_END = 2
STYLES = ("classic", "elimination", "teams")
DEFAULT_LIVES = 3
MIN_TEAMS, MAX_TEAMS = 2, 4


class Outcome(enum.Enum):
    LOCKED = "locked"            # answer taken
    ALREADY = "already"          # this member already answered this round
    CLOSED = "closed"            # the round is over (or it is another round)
    BLANK = "blank"              # a typed answer that shows nothing: refused, the member may try again
    OUT = "out"                  # elimination: this member has no lives left
    LATE = "late"                # elimination: players are already out, newcomers cannot join


class EndReason(enum.Enum):
    FINISHED = "finished"        # every round played
    STOPPED = "stopped"          # /quiz stop
    IDLE = "idle"                # two rounds in a row without answers
    ELIMINATED = "eliminated"    # elimination: one player (or none) left standing
    EXPIRED = "expired"          # the bot was down too long to resume it
    INTERRUPTED = "interrupted"  # the game broke (its channel out of reach, the database gone)
    STALLED = "stalled"          # paused too long: the database refused to save a round for too long

    @property
    def status(self) -> str:
        """The game's stored status (quiz_games.status)."""
        return {EndReason.ELIMINATED: "finished", EndReason.EXPIRED: "interrupted",
                EndReason.STALLED: "interrupted"}.get(self, self.value)


class Vote(enum.Enum):
    PASSED = "passed"            # the hint is given / the round is skipped
    COUNTED = "counted"          # a vote more, not yet a majority
    ALREADY = "already"          # this member's vote already counts
    NOT_NOW = "not_now"          # round closed, no hint in this mode, or no hints left
    NOT_PLAYER = "not_player"    # only this game's (active) players vote, or the starter or a manager


class Join(enum.Enum):
    JOINED = "joined"
    SWITCHED = "switched"
    ALREADY = "already"          # already in that team
    LOCKED = "locked"            # answered already: the team cannot change any more
    NO_TEAMS = "no_teams"        # not a team game, or no such team
    OVER = "over"


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
    first_answer_at: float = 0.0  # loop time (order of joining; rebased after a restart)
    order: int = 0               # 1 for the first player to join, 2 for the next...
    lives: int = 0               # elimination only
    out_round: int = 0           # elimination: the round that took the last life (0: still in)
    team: int | None = None      # teams only: 0..team_count-1
    joined: bool = False         # has answered at least once (a team member may not have yet)


@dataclass(frozen=True, slots=True)
class RoundResult:
    number: int                  # 1-based
    question: Question
    answers: tuple[Answer, ...]  # in answer order
    hints: int = 0
    skipped: bool = False
    lost_life: tuple[int, ...] = ()     # elimination: who lost a life this round
    knocked_out: tuple[int, ...] = ()   # ... and whose last one it was

    @property
    def winners(self) -> tuple[Answer, ...]:
        return tuple(a for a in self.answers if a.correct)


@dataclass(frozen=True, slots=True)
class TeamStanding:
    team: int
    points: int
    correct: int
    members: tuple[Player, ...]  # best first


def majority(voters: int) -> int:
    """Votes needed among `voters` (at least one)."""
    return voters // 2 + 1


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
    style: str = "classic"       # "classic" | "elimination" | "teams"
    lives: int = DEFAULT_LIVES   # elimination: lives each player starts with
    team_count: int = 0          # teams: 2..4
    round_number: int = 0        # 1-based once started; 0 before the first round
    round_open: bool = False
    round_started_at: float = 0.0
    idle_rounds: int = 0
    end_reason: EndReason | None = None
    players: dict[int, Player] = field(default_factory=dict)
    hints: int = 0               # hints given in the round in progress
    skipped: bool = False        # the round in progress was skipped
    _answers: dict[int, Answer] = field(default_factory=dict)
    _hint_votes: set[int] = field(default_factory=set)
    _skip_votes: set[int] = field(default_factory=set)
    _matcher: AnswerMatcher | None = None
    message_id: int | None = None

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}")
        if self.style == "teams" and not MIN_TEAMS <= self.team_count <= MAX_TEAMS:
            raise ValueError("a team game has 2 to 4 teams")

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

    @property
    def answers(self) -> tuple[Answer, ...]:
        return tuple(self._answers.values())

    @property
    def can_hint(self) -> bool:
        return self.mode == "typed" and self.round_open and not self.over and self.hints < MAX_HINTS

    def has_answered(self, user_id: int) -> bool:
        return user_id in self._answers

    def answer_of(self, user_id: int) -> Answer:
        return self._answers[user_id]

    def is_out(self, user_id: int) -> bool:
        player = self.players.get(user_id)
        return self.style == "elimination" and player is not None and player.joined and player.lives <= 0

    def active_players(self) -> list[Player]:
        """Who votes on skips: players who have answered in this game and are still in it."""
        return [p for p in self.players.values() if p.joined and not self.is_out(p.user_id)]

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
        self.hints = 0
        self.skipped = False
        self._hint_votes = set()
        self._skip_votes = set()
        self._matcher = None
        return self.question

    def accepts(self, round_number: int) -> bool:
        return self.round_open and round_number == self.round_number and not self.over

    def answer_option(self, user_id: int, round_number: int, option: int, now: float) -> Outcome:
        if not self.accepts(round_number) or not 0 <= option < len(self.question.options):
            return Outcome.CLOSED
        return self._take(user_id, option == self.question.correct, now, self.question.options[option].text)

    def answer_text(self, user_id: int, round_number: int, text: str, now: float) -> Outcome:
        if not self.accepts(round_number):
            return Outcome.CLOSED
        if is_blank(text):
            return Outcome.BLANK
        if self._matcher is None:
            self._matcher = AnswerMatcher(self.question.accepted)
        return self._take(user_id, self._matcher.matches(text), now, text)

    def may_answer(self, user_id: int) -> Outcome | None:
        """Why `user_id` may not answer this round (None: they may)."""
        if user_id in self._answers:
            return Outcome.ALREADY
        if self.style == "elimination":
            player = self.players.get(user_id)
            if player is not None and player.joined and player.lives <= 0:
                return Outcome.OUT
            if (player is None or not player.joined) and any(p.out_round for p in self.players.values()):
                return Outcome.LATE
        return None

    def _take(self, user_id: int, correct: bool, now: float, given: str) -> Outcome:
        refused = self.may_answer(user_id)
        if refused is not None:
            return refused
        player = self._player(user_id, now)
        if not player.joined:
            player.joined = True
            player.first_answer_at = now
            if self.style == "teams" and player.team is None:
                player.team = self._smallest_team()
        elapsed = max(0.0, now - self.round_started_at)
        streak = player.streak + 1 if correct else 0
        points = score_answer(correct, elapsed, self.seconds, streak, self.hints)
        self._answers[user_id] = Answer(user_id, correct, elapsed, points, streak, given)
        return Outcome.LOCKED

    def _player(self, user_id: int, now: float) -> Player:
        player = self.players.get(user_id)
        if player is None:
            player = self.players[user_id] = Player(user_id, first_answer_at=now, order=len(self.players) + 1,
                                                    lives=self.lives if self.style == "elimination" else 0)
        return player

    def restore_answer(self, answer: Answer) -> None:
        """An answer given to the open round before a restart (read back from the store)."""
        if not self.round_open or answer.user_id in self._answers:
            return
        player = self._player(answer.user_id, self.round_started_at + answer.elapsed)
        if not player.joined:
            player.joined = True
            if self.style == "teams" and player.team is None:
                player.team = self._smallest_team()
        self._answers[answer.user_id] = answer

    def close_round(self) -> RoundResult:
        """End the round in progress: apply its answers, decide whether the quiz goes on."""
        if not self.round_open:
            raise RuntimeError("no round in progress")
        self.round_open = False
        answers = tuple(self._answers.values())
        lost: list[int] = []
        knocked: list[int] = []
        was_out = {p.user_id for p in self.players.values() if self.is_out(p.user_id)}
        for player in self.players.values():
            answer = self._answers.get(player.user_id)
            if self.style == "elimination" and player.joined and player.user_id not in was_out:
                # A skipped round costs a life only for a wrong answer (the majority cut the time short).
                missed = answer is None and not self.skipped
                if missed or (answer is not None and not answer.correct):
                    player.lives -= 1
                    lost.append(player.user_id)
                    if player.lives <= 0:
                        player.out_round = self.round_number
                        knocked.append(player.user_id)
            if answer is None:
                player.streak = 0  # a missed round breaks the streak
                continue
            player.answered += 1
            player.points += answer.points.total
            player.streak = answer.streak
            if answer.correct:
                player.correct += 1
                player.best_streak = max(player.best_streak, answer.streak)
        # A round the players skipped was played (by vote), even without answers.
        self.idle_rounds = 0 if answers or self.skipped else self.idle_rounds + 1
        if self.end_reason is None:
            if self.style == "elimination" and self._last_standing():
                self.end_reason = EndReason.ELIMINATED
            elif self.round_number >= self.total_rounds:
                self.end_reason = EndReason.FINISHED
            elif self.idle_rounds >= IDLE_ROUNDS_TO_END:
                self.end_reason = EndReason.IDLE
        return RoundResult(self.round_number, self.question, answers, self.hints, self.skipped,
                           tuple(lost), tuple(knocked))

    def champion(self) -> Player | None:
        """An elimination game's winner: the one player left standing once the others are out. None
        while it goes on, when the rounds ran out with several still standing, or when it ended
        otherwise (stopped, interrupted)."""
        if self.style != "elimination" or self.end_reason is not EndReason.ELIMINATED:
            return None
        standing = [p for p in self.players.values() if p.joined and p.lives > 0]
        return standing[0] if len(standing) == 1 else None

    def _last_standing(self) -> bool:
        joined = [p for p in self.players.values() if p.joined]
        standing = [p for p in joined if p.lives > 0]
        # Alone, a player plays until their lives or the rounds run out.
        return (len(joined) >= 2 and len(standing) <= 1) or (bool(joined) and not standing)

    def stop(self) -> None:
        """Ask the quiz to end after the round in progress (which closes at once)."""
        if self.end_reason is None:
            self.end_reason = EndReason.STOPPED

    def end(self, reason: EndReason) -> None:
        if self.end_reason is None:
            self.end_reason = reason

    # -- hints and skips ------------------------------------------------------------------

    def hint_voters(self) -> list[Player]:
        """Who votes on hints: the players who have answered in this game (and are still in it)."""
        return self.active_players()

    def decides_alone(self, user_id: int, manager: bool) -> bool:
        """The starter, or a manager (Manage Server or the bot-manager role, which the caller knows),
        gives a hint or skips a round on their own say."""
        return manager or user_id == self.starter_id

    def vote_hint(self, user_id: int, *, manager: bool = False) -> Vote:
        if not self.can_hint:
            return Vote.NOT_NOW
        outcome = self._vote(self._hint_votes, self.hint_voters(), user_id, self.decides_alone(user_id, manager))
        if outcome is Vote.PASSED:
            self.hints += 1
            self._hint_votes = set()
        return outcome

    def vote_skip(self, user_id: int, *, manager: bool = False) -> Vote:
        if not self.round_open or self.over or self.skipped:
            return Vote.NOT_NOW
        outcome = self._vote(self._skip_votes, self.active_players(), user_id, self.decides_alone(user_id, manager))
        if outcome is Vote.PASSED:
            self.skipped = True
        return outcome

    def votes(self, kind: str) -> tuple[int, int]:
        """(votes so far, votes needed) for the next hint or the skip."""
        voters = self.hint_voters() if kind == "hint" else self.active_players()
        ballot = self._hint_votes if kind == "hint" else self._skip_votes
        return len(ballot), majority(len(voters))

    @staticmethod
    def _vote(ballot: set[int], voters: list[Player], user_id: int, alone: bool) -> Vote:
        if alone:
            return Vote.PASSED
        electorate = {p.user_id for p in voters}
        # Only players vote: before anyone has answered there is no electorate, and a bystander who asks
        # first must not decide for the game (only the starter or a manager may then).
        if user_id not in electorate:
            return Vote.NOT_PLAYER
        if user_id in ballot:
            return Vote.ALREADY
        ballot.add(user_id)
        return Vote.PASSED if len(ballot) >= majority(len(electorate)) else Vote.COUNTED

    # -- teams ----------------------------------------------------------------------------

    def join_team(self, user_id: int, team: int, now: float) -> Join:
        if self.over:
            return Join.OVER
        if self.style != "teams" or not 0 <= team < self.team_count:
            return Join.NO_TEAMS
        player = self.players.get(user_id)
        if player is not None and player.team == team:
            return Join.ALREADY
        if player is not None and player.joined:
            return Join.LOCKED
        if player is None:
            player = self._player(user_id, now)
        switched = player.team is not None
        player.team = team
        return Join.SWITCHED if switched else Join.JOINED

    def _smallest_team(self) -> int:
        sizes = [0] * self.team_count
        for p in self.players.values():
            if p.team is not None:
                sizes[p.team] += 1
        return min(range(self.team_count), key=lambda t: (sizes[t], t))

    def team_members(self, team: int) -> list[Player]:
        return [p for p in self.players.values() if p.team == team]

    def team_standings(self) -> list[TeamStanding]:
        """Teams by points, then correct answers, then team order."""
        teams = []
        for team in range(self.team_count):
            members = sorted(self.team_members(team), key=self._rank_key)
            teams.append(TeamStanding(team, sum(p.points for p in members), sum(p.correct for p in members),
                                      tuple(members)))
        return sorted(teams, key=lambda s: (-s.points, -s.correct, s.team))

    # -- standings ------------------------------------------------------------------------

    def _rank_key(self, p: Player) -> tuple[int, int, int, int]:
        return (-p.points, -p.correct, p.order, p.user_id)

    def standings(self) -> list[Player]:
        """Players by points, then correct answers, then who answered first. In elimination, those
        still standing first (most lives first), then by how long they lasted."""
        players = [p for p in self.players.values() if p.joined or p.team is not None]
        if self.style == "elimination":
            return sorted(players, key=lambda p: (-p.lives, -(p.out_round or 10**6), *self._rank_key(p)))
        return sorted(players, key=self._rank_key)

    # -- persistence (plain data; the store keeps it as JSON) -----------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The game's state between events: enough for `restore` to go on after a restart. The
        answers of the open round are not in it (the store keeps them as they are given)."""
        return {
            "v": 1, "round": self.round_number, "open": self.round_open, "idle": self.idle_rounds,
            "hints": self.hints, "skipped": self.skipped,
            "end": self.end_reason.value if self.end_reason else None,
            "players": [[p.user_id, p.points, p.answered, p.correct, p.streak, p.best_streak, p.order, p.lives,
                         p.out_round, p.team, p.joined] for p in self.players.values()],
        }

    def restore(self, state: dict[str, Any], now: float, elapsed: float) -> None:
        """Take back `snapshot()`; the open round (if any) began `elapsed` seconds before `now`."""
        self.round_number = int(state["round"])
        self.round_open = bool(state["open"])
        self.idle_rounds = int(state["idle"])
        self.hints = int(state.get("hints", 0))
        self.skipped = bool(state.get("skipped", False))
        self.end_reason = EndReason(state["end"]) if state.get("end") else None
        self.round_started_at = now - max(0.0, elapsed)
        self._answers = {}
        self.players = {}
        for user_id, points, answered, correct, streak, best, order, lives, out_round, team, joined in \
                state["players"]:
            self.players[user_id] = Player(user_id, points, answered, correct, streak, best,
                                           first_answer_at=now - 10**6 + order, order=order, lives=lives,
                                           out_round=out_round, team=team, joined=joined)


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
