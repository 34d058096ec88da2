"""One running quiz as an object: its session, its clock and the task that drives it.

Red-DiscordBot's trivia session is the model: the game owns its loop and hands what happens back
to whoever runs it. Here that is a `Table` (the quiz cog implements one per game: it posts to
Discord and writes to the store); the game decides when rounds open and close, never touching
either. The loop sleeps on the event loop's clock (`asyncio.sleep`), so SimCord's `advance_time`
drives it, and `wake()` cuts a wait short (a stop, a skip).

The game's state survives a restart: `encode_questions`/`decode_questions` and
`QuizSession.snapshot` give plain JSON-able data; `resume_plan` decides what a restarted bot
does with a game it finds running (go on, close the round at once, or end it).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..catalog.models import Fact, Source
from .questions import Name, Question
from .session import EndReason, QuizSession, RoundResult

REVEAL_PAUSE = 4.0
JOIN_SECONDS = 20.0          # teams: time to pick a team before the first round
RESUME_LIMIT = 600.0         # a game down longer than this (seconds) ends instead of resuming


class Table(Protocol):
    """Where a game is played: the quiz cog posts rounds and writes results for it."""

    async def post_teams(self, game: Game) -> None: ...

    async def post_round(self, game: Game) -> None: ...

    async def round_posted(self, game: Game) -> None: ...

    async def record(self, game: Game, result: RoundResult) -> None: ...

    async def reveal(self, game: Game, result: RoundResult) -> None: ...

    async def finish(self, game: Game) -> None: ...


class Game:
    """A session and the loop that plays it. `run(table)` plays to the end; `resume_in`/`joining_left`
    say where a restarted game picks up."""

    def __init__(self, session: QuizSession, *, resumed: bool = False, round_left: float | None = None,
                 joining_left: float | None = None) -> None:
        self.session = session
        self.resumed = resumed
        self.round_left = round_left          # a resumed open round: seconds it still has
        self.joining_left = joining_left      # a resumed team game still picking teams
        self.joining = False
        self.joining_deadline: float | None = None  # loop time the team picking ends
        self._sleeper: asyncio.Task[None] | None = None

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    async def wait(self, seconds: float) -> None:
        """Sleep on the loop clock; `wake()` ends the sleep at once."""
        s = self.session
        if (s.over and s.end_reason is EndReason.STOPPED) or (s.round_open and s.skipped):
            return
        self._sleeper = asyncio.create_task(asyncio.sleep(max(0.0, seconds)))
        try:
            await self._sleeper
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the game itself is being cancelled (shutdown)
        finally:
            self._sleeper = None

    def wake(self) -> None:
        if self._sleeper is not None:
            self._sleeper.cancel()

    def round_ends_at(self) -> float:
        """Loop time at which the open round's time is up."""
        return self.session.round_started_at + self.session.seconds

    async def run(self, table: Table) -> None:
        s = self.session
        if s.style == "teams" and s.round_number == 0 and not s.round_open and not s.over:
            self.joining = True
            left = JOIN_SECONDS if self.joining_left is None else self.joining_left
            self.joining_deadline = self.now() + left
            if not self.resumed or self.joining_left is None:
                await table.post_teams(self)
            await self.wait(left)
            self.joining = False
        while not s.over:
            if s.round_open:  # resumed mid-round: the round message is up already
                left = self.round_left if self.round_left is not None else s.seconds
                self.round_left = None
            else:
                s.open_round(self.now())
                await table.post_round(self)
                # Answers count from when the round could be seen (later than opened, after a retry).
                s.round_started_at = self.now()
                await table.round_posted(self)
                left = s.seconds
            await self.wait(left)
            result = s.close_round()
            await table.record(self, result)
            await table.reveal(self, result)
            if not s.over:
                await self.wait(REVEAL_PAUSE)
        await table.finish(self)


# -- resuming ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ResumePlan:
    """What a restarted bot does with a game it finds running."""

    end: EndReason | None        # end it now (with its standings) for this reason; None: play on
    round_left: float | None     # an open round's remaining seconds (0: close it at once)
    joining_left: float | None   # a team game still picking teams: seconds left for that
    elapsed: float               # an open round: seconds since it opened


def resume_plan(state: dict[str, Any], seconds: int, *, down_for: float, round_elapsed: float | None,
                joining_elapsed: float | None, channel_exists: bool) -> ResumePlan:
    """`down_for`: seconds since the game's last stored sign of life; `round_elapsed`: seconds since the
    open round was posted (wall clock); `joining_elapsed`: since the team picking began."""
    if not channel_exists:
        return ResumePlan(EndReason.INTERRUPTED, None, None, 0.0)
    if down_for > RESUME_LIMIT:
        return ResumePlan(EndReason.EXPIRED, None, None, 0.0)
    if state.get("open") and round_elapsed is not None:
        elapsed = max(0.0, round_elapsed)
        return ResumePlan(None, max(0.0, seconds - elapsed), None, min(elapsed, float(seconds)))
    if int(state.get("round", 0)) == 0 and joining_elapsed is not None:
        return ResumePlan(None, None, max(0.0, JOIN_SECONDS - joining_elapsed), 0.0)
    return ResumePlan(None, None, None, 0.0)


# -- questions as plain data --------------------------------------------------------------

_TYPES: dict[str, type] = {"Name": Name, "Fact": Fact, "Source": Source, "Question": Question}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data["~"] = type(value).__name__
        return data
    if isinstance(value, frozenset):
        return {"~set": sorted(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if isinstance(value, dict):
        if "~set" in value:
            return frozenset(value["~set"])
        kind = _TYPES[value["~"]]
        known = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: _decode(v) for k, v in value.items() if k in known})
    return value


def encode_questions(questions: Sequence[Question]) -> list[Any]:
    """Questions as JSON-able data (every field, so a field added later travels too)."""
    return [_encode(q) for q in questions]


def decode_questions(data: Sequence[Any]) -> list[Question]:
    return [_decode(q) for q in data]
