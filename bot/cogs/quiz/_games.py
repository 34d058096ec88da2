"""The quizzes this process plays: each game's table (`GameRunner`: it posts what the game decides to
Discord and writes it to the store) and the set of them (`Games`: started, played to their end,
stopped at shutdown with their state kept for the next start)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import discord

from ...faults import describe, is_passing_fault
from ...i18n import t
from ...quiz.game import JOIN_SECONDS, RESUME_LIMIT, Game
from ...quiz.session import EndReason, QuizSession, RoundResult, SessionRegistry
from ...store import Store, StoreUnavailable, write_failure
from ...ui import pictures as pictures_ui
from ...ui import quiz as ui
from ._answers import AnswerWrites
from ._pictures import Pictures

if TYPE_CHECKING:
    from ...app import OstBot

log = logging.getLogger(__name__)

# After a passing Discord fault (5xx, 429) on a round post, a reveal or the standings, the game waits
# this long on the loop clock and tries once more (discord.py has already retried inside its client).
RETRY_WAIT = 2.0
SETTLE_AT_STOP = 10.0  # seconds a shutdown waits for answers still on their way to the store
# A write the game cannot go on without (a round's record), refused by the store (a full disk, a lost
# database), is tried again after this many seconds on the loop clock, then twice as long each time, up
# to PAUSE_RETRY_MAX: the quiz stays paused until it goes through.
PAUSE_RETRY_FIRST = 5.0
PAUSE_RETRY_MAX = 60.0
# Paused longer than this, the quiz ends with its standings once the round is saved (as a quiz the bot
# was down for that long does), instead of posting rounds to players who have left.
STALL_LIMIT = RESUME_LIMIT

T = TypeVar("T")


def wall() -> dt.datetime:
    return discord.utils.utcnow()


def loop_now() -> float:
    """The event loop's clock, the one games keep their time by."""
    return asyncio.get_running_loop().time()


class GameRunner:
    """One running quiz in this process: its game (the loop and the session), where it posts, and the
    task that drives it. It is the game's `Table`: what the game decides, it posts and stores."""

    def __init__(self, games: Games, game: Game, channel: discord.abc.Messageable, lang: str) -> None:
        self.games = games
        self.game = game
        self.channel = channel
        self.lang = lang
        self.task: asyncio.Task | None = None
        self.message: discord.Message | discord.PartialMessage | None = None
        self.teams_message: discord.Message | discord.PartialMessage | None = None
        self.deadline: dt.datetime = wall()
        self.status_written = False
        self.resumed_left: float | None = None   # set when resumed mid-round: announced once

    @property
    def session(self) -> QuizSession:
        return self.game.session

    @property
    def store(self) -> Store:
        return self.games.bot.store

    def wake(self) -> None:
        self.game.wake()

    async def save(self, **changes) -> None:
        await self.store.quiz.save_state(self.session.game_id, self.session.snapshot(), wall(), **changes)

    async def discord(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` (a Discord request of the game loop); after a passing fault, wait RETRY_WAIT on
        the loop clock and call once more. The second failure, or any other error, propagates."""
        try:
            return await call()
        except discord.HTTPException as exc:
            if not is_passing_fault(exc):
                raise
            log.warning("quiz %s: %s failed (%s); trying again in %.0f s", self.session.game_id, what,
                        describe(exc), RETRY_WAIT)
        await self.game.wait(RETRY_WAIT)
        return await call()

    # -- the Table the game plays on ----------------------------------------------------------

    async def post_teams(self, game: Game) -> None:
        s = self.session
        posted = await self.discord("posting the teams", lambda: self.channel.send(
            embed=ui.teams_embed(s, self.lang, JOIN_SECONDS), view=ui.teams_view(s, self.lang)))
        self.teams_message = posted
        # Kept as the game's message until the first round's: a restart during the picking finds it.
        await self.save(message_id=posted.id, round_at=wall())

    async def post_round(self, game: Game) -> None:
        s = self.session
        if self.teams_message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.teams_message.edit(view=ui.teams_view(s, self.lang, closed=True))
            self.teams_message = None

        def post() -> Awaitable[discord.Message]:
            self.deadline = wall() + dt.timedelta(seconds=s.seconds)
            return self.channel.send(embed=ui.question_embed(s, s.question, self.lang, self.deadline),
                                     view=ui.round_view(s, s.question, self.lang))

        self.message = await self.discord(f"posting round {s.round_number}", post)
        s.message_id = self.message.id

    async def round_posted(self, game: Game) -> None:
        try:
            await self.save(message_id=self.session.message_id, round_at=wall())
        except Exception as exc:
            if write_failure(exc) is None or self.games.unloading or self.store.closed:
                raise
            # Only a restart needs it (to resume the round); the round's record will carry the state.
            log.warning("quiz %s: round %d posted but its state not saved (%s: %s); the round goes on",
                        self.session.game_id, self.session.round_number, type(exc).__name__, exc)

    async def record(self, game: Game, result: RoundResult) -> None:
        s = self.session
        await self.games.answers.settled(s.game_id)

        async def write() -> None:  # the end and the state as they are at each try (a /quiz stop meanwhile)
            end = s.end_reason.status if s.end_reason else None
            await self.store.quiz.record_round(s.game_id, s.guild_id, s.channel_id, result, wall(), end_status=end,
                                               state=s.snapshot())
            self.status_written = end is not None

        paused = await self.until_stored(f"recording round {result.number}", write)
        if paused > STALL_LIMIT:  # the players have long gone: the standings, as after a long restart
            s.end(EndReason.STALLED)

    async def until_stored(self, what: str, write: Callable[[], Awaitable[object]]) -> float:
        """`write()`, a write the game cannot go on without. When the store cannot take it (a full disk, a
        lost database: `write_failure`), it is tried again at once (a dropped connection is replaced by
        then); when that fails too, the quiz is paused: the channel is told why (once), and the write is
        tried again on the loop clock (PAUSE_RETRY_FIRST seconds, doubling up to PAUSE_RETRY_MAX) until it
        goes through; then the channel is told the quiz goes on. Any other error propagates, and so does
        a failure once the bot is shutting down (the next start resumes the game). Returns the seconds
        the quiz was paused (0: it never was)."""
        reason: str | None = None
        delay = 0.0
        began = loop_now()
        while True:
            try:
                await write()
                break
            except Exception as exc:
                failure = write_failure(exc)
                if failure is None or self.games.unloading or self.store.closed:
                    raise
                log.warning("quiz %s: %s failed (%s: %s); %s", self.session.game_id, what, type(exc).__name__, exc,
                            f"the quiz is paused, next try in {delay:.0f} s" if delay else "trying again at once")
                if delay and reason is None:
                    reason = failure
                    await self.say("quiz.paused", reason=t(f"quiz.paused.{failure}", self.lang))
            await asyncio.sleep(delay)
            delay = min(delay * 2, PAUSE_RETRY_MAX) if delay else PAUSE_RETRY_FIRST
        if reason is None:
            return 0.0
        paused = loop_now() - began
        log.info("quiz %s: %s went through after %.0f s", self.session.game_id, what, paused)
        if paused <= STALL_LIMIT:
            await self.say("quiz.resumed")
        return paused

    async def say(self, key: str, **params: object) -> None:
        """A line in the quiz's channel (a pause, the quiz going on); a Discord fault loses only the line."""
        try:
            await self.channel.send(t(key, self.lang, **params), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("quiz %s: could not post %s: %s", self.session.game_id, key, describe(exc))

    async def reveal(self, game: Game, result: RoundResult) -> None:
        s = self.session
        if self.message is None:
            return
        message = self.message
        try:
            await self.discord(f"revealing round {result.number}", lambda: message.edit(
                embed=ui.reveal_embed(s, result, self.lang),
                view=ui.round_view(s, result.question, self.lang, revealed=True)))
        except discord.NotFound:
            log.info("quiz %s: round message deleted before the reveal", s.game_id)
        except discord.HTTPException as exc:
            if not is_passing_fault(exc):
                raise
            # The round is stored; only its reveal is missing. The next round may well go through.
            log.warning("quiz %s: round %d stays unrevealed (%s); the quiz goes on", s.game_id, result.number,
                        describe(exc))

    async def finish(self, game: Game) -> None:
        s = self.session
        if not self.status_written:  # stopped before the first round or during the pause after a reveal
            await self.until_stored("ending the game", lambda: self.store.quiz.end_game(
                s.game_id, (s.end_reason or EndReason.STOPPED).status, wall()))
            self.status_written = True
        pictures = self.games.pictures
        data = pictures_ui.standings_data(pictures.names(self.games.bot.get_guild(s.guild_id)), s, lang=self.lang)
        png = await pictures.png(s.guild_id, data)

        def post() -> Awaitable[discord.Message]:
            embed = ui.standings_embed(s, self.lang)
            if data is None or png is None:
                return self.channel.send(embed=embed)
            return self.channel.send(embed=embed, file=pictures_ui.attachment(embed, data, png))  # a new file each try

        await self.discord("posting the standings", post)

    async def refresh_round(self) -> None:
        """Show the round's new state (a hint) on its message."""
        s = self.session
        if self.message is None or not s.round_open:
            return
        try:
            await self.message.edit(embed=ui.question_embed(s, s.question, self.lang, self.deadline),
                                    view=ui.round_view(s, s.question, self.lang))
        except discord.HTTPException as exc:
            log.warning("quiz %s: could not show the hint on the round message: %s", s.game_id, describe(exc))


class Games:
    """The games this process plays: their sessions (by channel and by game), their runners and their
    answer writes. `add` a runner, `start` its loop; a game that ends, however it ends, is forgotten."""

    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.sessions = SessionRegistry()
        self.runners: dict[int, GameRunner] = {}
        self.answers = AnswerWrites(lambda: self.store.quiz)
        self.pictures = Pictures(bot)
        self.unloading = False  # shutting down: no game loop starts from now on

    @property
    def store(self) -> Store:
        return self.bot.store

    def add(self, runner: GameRunner) -> None:
        self.sessions.add(runner.session)
        self.runners[runner.session.game_id] = runner

    def start(self, runner: GameRunner) -> None:
        runner.task = asyncio.create_task(self._run(runner), name=f"quiz-{runner.session.game_id}")

    async def stop(self, *others: asyncio.Task | None) -> None:
        """Shutdown (or a reload): the game loops (and `others`) stop here and the games stay 'running'
        in the store with their state and the answers given so far, so the next start resumes them.
        Answers on their way to the store get there first. No game loop starts from now on."""
        self.unloading = True
        runners = list(self.runners.values())
        tasks = [r.task for r in runners if r.task is not None] + [task for task in others if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:  # a store that hangs does not hold up the shutdown for ever: the store's close says the rest
            await asyncio.wait_for(self.answers.settled(), SETTLE_AT_STOP)
        except TimeoutError:
            log.warning("quiz answers still on their way to the store after %.0f s: the shutdown goes on",
                        SETTLE_AT_STOP)
        for runner in runners:
            self.forget(runner.session)

    async def _run(self, runner: GameRunner) -> None:
        """Play the game (`Game.run`, with the runner as its table); what can go wrong on the way."""
        session = runner.session
        try:
            await runner.game.run(runner)
        except asyncio.CancelledError:
            raise  # shutting down: the game stays running in the store and the next start resumes it
        except (discord.NotFound, discord.Forbidden) as exc:
            log.info("quiz %s ended: the channel is out of reach (%s)", session.game_id, exc)
            await self._abandon(session)
        except Exception as exc:
            if self.unloading or self.store.closed:
                # Shutdown overtook the game (the store refuses writes from now on): the next start resumes it.
                log.info("quiz %s paused by shutdown (%s)", session.game_id, exc)
                return
            if is_passing_fault(exc):  # already logged once by GameRunner.discord; this is the failed retry
                log.warning("quiz %s ended: Discord failed again (%s)", session.game_id, describe(exc))
            elif isinstance(exc, StoreUnavailable):  # the database went away: the rounds stored are kept
                log.warning("quiz %s ended: %s", session.game_id, exc)
            else:
                log.exception("quiz %s failed", session.game_id)
            await self._abandon(session)
        finally:
            self.forget(session)

    def forget(self, session: QuizSession) -> None:
        """The game no longer runs in this process: clicks on it are answered as stale from now on."""
        self.sessions.remove(session)
        self.runners.pop(session.game_id, None)

    async def _abandon(self, session: QuizSession) -> None:
        session.end(EndReason.INTERRUPTED)
        if self.store.closed:
            return  # the next start resumes it
        try:
            await self.store.quiz.end_game(session.game_id, "interrupted", wall())
        except StoreUnavailable as exc:  # still unreachable: the next start resumes it
            log.warning("quiz %s: could not mark it interrupted: %s", session.game_id, exc)
        except Exception:
            log.exception("quiz %s: could not mark it interrupted", session.game_id)
