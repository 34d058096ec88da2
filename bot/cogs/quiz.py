"""/quiz start|stop|hint|join|leaderboard|stats: multi-round OST trivia.

Thin glue: questions come from `bot.quiz.questions`; the game (its rules, its state and its loop) is a
`bot.quiz.game.Game`; storage is `store.quiz`; embeds and buttons come from `bot.ui.quiz`. Each running
quiz has one `GameRunner`: the task that plays its game, and the table the game plays on (it posts
rounds and reveals to Discord and writes results to the store). Clicks and commands become calls on the
game's session (answers, hint and skip votes, team choices) and their outcomes become private replies.

A restart does not end a quiz: its state is kept in the store as it goes (answers as they are given),
and the next start of the process owning its server resumes it (see `_recover`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ..access import interaction_is_manager, missing_post_permissions
from ..components import hand_over
from ..errors import UserError
from ..faults import describe, is_passing_fault
from ..i18n import resolve_language, t
from ..pictures import PictureCache
from ..pictures.models import Picture
from ..pictures.names import NameBook
from ..quiz.game import JOIN_SECONDS, RESUME_LIMIT, Game, decode_questions, encode_questions, resume_plan
from ..quiz.questions import generate_questions
from ..quiz.scoring import HINT_COST
from ..quiz.session import (
    DEFAULT_LIVES,
    EndReason,
    Join,
    Outcome,
    QuizSession,
    RoundResult,
    SessionRegistry,
    Vote,
)
from ..replies import reader_language, send_ephemeral
from ..store import StoreUnavailable
from ..store.quiz_repo import RunningGame
from ..store.times import parse_stamp
from ..ui import pictures as pictures_ui
from ..ui import quiz as ui
from ..ui.text import localized_name, safe

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

# After a passing Discord fault (5xx, 429) on a round post, a reveal or the standings, the game waits
# this long on the loop clock and tries once more (discord.py has already retried inside its client).
RETRY_WAIT = 2.0
SETTLE_AT_STOP = 10.0  # seconds a shutdown waits for answers still on their way to the store
PERIODS = {"week": dt.timedelta(days=7), "month": dt.timedelta(days=30), "all": None}
Topic = Literal["any", "dramas", "singers", "facts", "years", "actors"]
Style = Literal["classic", "elimination", "teams"]
RECEIPTS = {Outcome.ALREADY: "quiz.already", Outcome.CLOSED: "quiz.round_over", Outcome.BLANK: "quiz.blank",
            Outcome.OUT: "quiz.out", Outcome.LATE: "quiz.late"}


def wall() -> dt.datetime:
    return discord.utils.utcnow()


class AnswerWrites:
    """Answers are written to the store as they are given, before the player is told "locked in" (issue
    15: an answer a player saw accepted counts after any restart, a crash included). One statement each,
    by the store's quickest path (`Store.append`). A write still on its way when its round closes is
    waited for (recording the round moves the round's kept answers), and so is every one at shutdown.

    A click waits for its write at most KEEP_WAIT seconds (a store that hangs must not make the reply
    miss Discord's 3-second deadline): then the write starts again in the background and the player is
    answered; the answer counts in this process either way."""

    KEEP_WAIT = 1.5

    def __init__(self, repo_of) -> None:
        self._repo_of = repo_of
        self._writing: dict[int, set[asyncio.Future[None]]] = {}
        self._background: set[asyncio.Task[bool]] = set()

    async def keep(self, game_id: int, round_number: int, answer) -> bool:
        """Whether the answer is in the store (False: its write failed, or goes on in the background)."""
        return await self._write(game_id, round_number, answer, self._track(game_id), wait=self.KEEP_WAIT)

    def _track(self, game_id: int) -> asyncio.Future[None]:
        """A write of this game under way, until the future is done (see `settled`)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writing.setdefault(game_id, set()).add(done)
        return done

    async def _write(self, game_id: int, round_number: int, answer, done: asyncio.Future[None], *,
                     wait: float | None) -> bool:
        try:
            async with asyncio.timeout(wait):
                await self._repo_of().add_answer(game_id, round_number, answer)
            return True
        except TimeoutError:  # the write was stopped at the deadline; it is made again (kept once, whatever)
            log.warning("quiz %s: an answer took over %.1f s to write; it is written in the background",
                        game_id, wait)
            task = asyncio.create_task(self._write(game_id, round_number, answer, self._track(game_id), wait=None),
                                       name=f"quiz-{game_id}-answer")
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return False
        except Exception as exc:  # it still counts in this process; only a restart would lose it
            log.warning("quiz %s: an answer was not kept in the store: %s: %s", game_id, type(exc).__name__, exc)
            return False
        finally:
            writing = self._writing.get(game_id, set())
            writing.discard(done)
            if not writing:
                self._writing.pop(game_id, None)
            done.set_result(None)

    async def settled(self, game_id: int | None = None) -> None:
        """Returns once every answer write under way (of this game, or of every game) is over."""
        while under_way := [f for game, futures in self._writing.items() if game_id in (None, game) for f in futures]:
            await asyncio.wait(under_way)


class GameRunner:
    """One running quiz in this process: its game (the loop and the session), where it posts, and the
    task that drives it. It is the game's `Table`: what the game decides, it posts and stores."""

    def __init__(self, cog: Quiz, game: Game, channel: discord.abc.Messageable, lang: str) -> None:
        self.cog = cog
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
    def store(self):
        return self.cog.store

    def wake(self) -> None:
        self.game.wake()

    async def save(self, **changes) -> None:
        await self.store.quiz.save_state(self.session.game_id, self.session.snapshot(), wall(), **changes)

    # -- the Table the game plays on ----------------------------------------------------------

    async def post_teams(self, game: Game) -> None:
        s = self.session
        self.teams_message = await self.cog._discord(self, "posting the teams", lambda: self.channel.send(
            embed=ui.teams_embed(s, self.lang, JOIN_SECONDS), view=ui.teams_view(s, self.lang)))
        # Kept as the game's message until the first round's: a restart during the picking finds it.
        await self.save(message_id=self.teams_message.id, round_at=wall())

    async def post_round(self, game: Game) -> None:
        s = self.session
        if self.teams_message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.teams_message.edit(view=ui.teams_view(s, self.lang, closed=True))
            self.teams_message = None

        def post():
            self.deadline = wall() + dt.timedelta(seconds=s.seconds)
            return self.channel.send(embed=ui.question_embed(s, s.question, self.lang, self.deadline),
                                     view=ui.round_view(s, s.question, self.lang))

        self.message = await self.cog._discord(self, f"posting round {s.round_number}", post)
        s.message_id = self.message.id

    async def round_posted(self, game: Game) -> None:
        await self.save(message_id=self.session.message_id, round_at=wall())

    async def record(self, game: Game, result: RoundResult) -> None:
        s = self.session
        await self.cog.answers.settled(s.game_id)
        end = s.end_reason.status if s.end_reason else None
        await self.store.quiz.record_round(s.game_id, s.guild_id, s.channel_id, result, wall(), end_status=end,
                                           state=s.snapshot())
        self.status_written = end is not None

    async def reveal(self, game: Game, result: RoundResult) -> None:
        s = self.session
        if self.message is None:
            return
        message = self.message
        try:
            await self.cog._discord(self, f"revealing round {result.number}", lambda: message.edit(
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
            await self.store.quiz.end_game(s.game_id, (s.end_reason or EndReason.STOPPED).status, wall())
            self.status_written = True
        data = pictures_ui.standings_data(self.cog.names(self.cog.bot.get_guild(s.guild_id)), s, lang=self.lang)
        png = await self.cog.picture(s.guild_id, data)

        def post():
            embed = ui.standings_embed(s, self.lang)
            if data is None or png is None:
                return self.channel.send(embed=embed)
            return self.channel.send(embed=embed, file=pictures_ui.attachment(embed, data, png))

        await self.cog._discord(self, "posting the standings", post)

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


@app_commands.guild_only()
class Quiz(commands.GroupCog, name=ui.QUIZ_COG, group_name="quiz", group_description="K-drama OST trivia quizzes"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.sessions = SessionRegistry()
        self.runners: dict[int, GameRunner] = {}
        self.answers = AnswerWrites(lambda: self.store.quiz)
        self._recovery: asyncio.Task | None = None
        self._waiting: set[int] = set()  # servers with games to resume once they are available
        self._recovered = False  # the start's first pass over the games to resume is done
        self._unloading = False
        self.rng = random.Random()
        self.pictures = PictureCache()
        self.seen_names = NameBook()
        super().__init__()

    @property
    def store(self):
        assert self.bot.store is not None
        return self.bot.store

    def names(self, guild: discord.Guild | None) -> pictures_ui.Names:
        return pictures_ui.Names(guild, self.bot, self.seen_names)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        pictures_ui.note(self.seen_names, interaction)   # the pictures draw names the bot has seen

    async def picture(self, guild_id: int, data: Picture | None) -> bytes | None:
        """The picture of `data` (drawn in a thread, or from the cache); None when there is nothing to
        draw or the drawing failed: the reply then goes out with its text alone."""
        if data is None:
            return None
        try:
            return await self.pictures.picture(guild_id, data)
        except Exception:
            log.exception("quiz: the %s picture of server %s could not be drawn", type(data).__name__, guild_id)
            return None

    # -- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        # Games from before V6 cannot be resumed (their questions were not kept): interrupted, as before.
        interrupted = await self.store.quiz.interrupt_running(wall(), owns=self.bot.owns_guild,
                                                              unresumable_only=True)
        if interrupted:
            log.info("marked %d unfinished quizzes from an older version interrupted", len(interrupted))
        # Every other game this process owns goes on once the bot is connected (its channels known).
        self._recovery = asyncio.create_task(self._recover(interrupted), name="quiz-recovery")

    async def cog_unload(self) -> None:
        # Shutdown (or a reload): the game loops stop here and the games stay 'running' in the store with
        # their state and the answers given so far, so the next start resumes them (issue 15). Answers
        # on their way to the store get there first.
        # A /quiz start still on its way starts no game loop from now on (see _launch).
        self._unloading = True
        runners = list(self.runners.values())
        tasks = [r.task for r in runners if r.task is not None]
        if self._recovery is not None:
            tasks.append(self._recovery)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:  # a store that hangs does not hold up the shutdown for ever: the store's close says the rest
            await asyncio.wait_for(self.answers.settled(), SETTLE_AT_STOP)
        except TimeoutError:
            log.warning("quiz answers still on their way to the store after %.0f s: the shutdown goes on",
                        SETTLE_AT_STOP)
        for runner in runners:
            self._forget(runner.session)

    async def _recover(self, interrupted) -> None:
        await self._announce_interrupted(interrupted)
        await self.bot.wait_until_ready()
        await self._resume_games(lambda guild_id: self.bot.get_guild(guild_id) is not None, defer=True)
        self._recovered = True
        if self._waiting:
            # A server that has not come back by now (the bot was removed, or a long outage) ends its games.
            await asyncio.sleep(RESUME_LIMIT)
            self._waiting.clear()
            await self._resume_games(lambda _guild_id: True, defer=False)

    async def _resume_games(self, wanted, *, defer: bool) -> None:
        """Resume the running games this process owns whose server is `wanted`. With `defer`, a game whose
        server is not known yet (still streaming in after READY, or unavailable in an outage) waits for
        that server to become available (`on_guild_available`) instead of being judged gone."""
        try:
            games = await self.store.quiz.running_games(owns=self.bot.owns_guild)
        except Exception:
            log.exception("could not read the quizzes to resume")
            return
        for game in games:
            if game.questions is None or game.state is None or game.game_id in self.runners:
                continue
            if self._played_elsewhere(game):
                continue  # another live process plays it (a deploy's overlap): see on_fleet_beat
            if not wanted(game.guild_id):
                if defer:
                    self._waiting.add(game.guild_id)
                continue
            try:
                if not await self.store.quiz.claim(game.game_id, game.owner):
                    continue  # another process took it over just now
                await self._resume(game)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("quiz %s: could not resume it", game.game_id)
                with contextlib.suppress(Exception):
                    await self.store.quiz.end_game(game.game_id, "interrupted", wall())
        if defer and self._waiting:  # servers that became available while we read the store
            arrived = {guild_id for guild_id in self._waiting if self.bot.get_guild(guild_id) is not None}
            if arrived:
                self._waiting -= arrived
                await self._resume_games(lambda guild_id: guild_id in arrived, defer=False)

    def _played_elsewhere(self, game) -> bool:
        """True when the game's owner is another process whose heartbeat is fresh: it still plays it."""
        if game.owner is None or game.owner == self.store.token or game.owner_beat is None:
            return False
        return (wall() - parse_stamp(game.owner_beat)).total_seconds() < self.bot.settings.stale_after

    @commands.Cog.listener()
    async def on_fleet_beat(self) -> None:
        """After each heartbeat of this process: take over the quizzes of its servers whose process stopped
        (during a rolling deploy the new process starts while the old one still plays; once the old one
        stops and leaves the fleet table, its games are resumed here)."""
        if self._unloading or not self._recovered:
            return
        await self._resume_games(lambda guild_id: self.bot.get_guild(guild_id) is not None, defer=False)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        if guild.id in self._waiting and not self._unloading:
            self._waiting.discard(guild.id)
            await self._resume_games(lambda guild_id: guild_id == guild.id, defer=False)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.on_guild_available(guild)

    async def _channel(
            self, channel_id: int) -> discord.abc.GuildChannel | discord.Thread | discord.abc.PrivateChannel | None:
        """The channel, from the cache or from Discord; None when it is gone or out of the bot's reach."""
        channel = self.bot.get_channel(channel_id)
        if channel is not None:
            return channel
        try:
            return await self.bot.fetch_channel(channel_id)
        except (discord.NotFound, discord.Forbidden):
            return None

    async def _resume(self, row: RunningGame) -> None:
        """Go on with a game a previous process left running: the open round with the time it has left
        (closed at once when its time ran out meanwhile), the answers given before the restart counted."""
        state, questions = row.state, row.questions
        assert state is not None and questions is not None  # _resume_games passes only games that can resume
        channel = await self._channel(row.channel_id)
        now = wall().timestamp()
        opened = now - row.round_at if row.round_at is not None else None
        plan = resume_plan(state, row.seconds, down_for=now - (row.alive_at or 0.0),
                           round_elapsed=opened if state.get("open") else None,
                           joining_elapsed=opened if row.style == "teams" else None,
                           channel_exists=channel is not None)
        settings = await self.store.guilds.get(row.guild_id)
        lang = resolve_language(settings.language)
        session = QuizSession(game_id=row.game_id, guild_id=row.guild_id, channel_id=row.channel_id,
                              starter_id=row.started_by, mode=row.mode, seconds=row.seconds, topic=row.topic,
                              questions=decode_questions(questions), language=settings.language,
                              style=row.style, lives=row.lives or DEFAULT_LIVES, team_count=row.teams or 0)
        session.restore(state, self._now(), plan.elapsed)
        for answer in row.pending:
            session.restore_answer(answer)
        session.message_id = row.message_id
        log.info("quiz %s: resuming after a restart (round %d%s)", row.game_id, session.round_number,
                 f", ended: {plan.end.value}" if plan.end else "")
        if plan.end is not None:
            await self._end_unresumable(session, plan.end, channel, lang)
            return
        game = Game(session, resumed=True, round_left=plan.round_left, joining_left=plan.joining_left)
        runner = GameRunner(self, game, channel, lang)  # type: ignore[arg-type]
        if row.message_id is not None:
            posted = channel.get_partial_message(row.message_id)  # type: ignore[union-attr]
            if game.joining_left is not None:  # still picking teams: the message is the teams', closed later
                runner.teams_message = posted
            else:
                runner.message = posted
        if session.round_open:
            runner.deadline = wall() + dt.timedelta(seconds=plan.round_left or 0.0)
        self.sessions.add(session)
        self.runners[session.game_id] = runner
        with contextlib.suppress(discord.HTTPException):
            await channel.send(ui.resumed_text(session, lang, plan.round_left if session.round_open else None),  # type: ignore[union-attr]
                               allowed_mentions=discord.AllowedMentions.none())
        runner.task = asyncio.create_task(self._run(runner), name=f"quiz-{session.game_id}")

    async def _end_unresumable(self, session: QuizSession, reason: EndReason, channel, lang: str) -> None:
        """End a game that cannot go on (its channel is gone, or the bot was down too long), keeping every
        answer given: the open round is recorded with them, and the standings say why it ended."""
        session.end(reason)
        if session.round_open:
            result = session.close_round()
            await self.store.quiz.record_round(session.game_id, session.guild_id, session.channel_id, result,
                                               wall(), end_status=reason.status, state=session.snapshot())
        else:
            await self.store.quiz.end_game(session.game_id, reason.status, wall())
        if channel is None:
            log.info("quiz %s ended: its channel is gone", session.game_id)
            return
        try:
            if session.message_id is not None:
                with contextlib.suppress(discord.NotFound):
                    await channel.get_partial_message(session.message_id).edit(view=None)
            await channel.send(embed=ui.standings_embed(session, lang))
        except discord.HTTPException as exc:
            log.warning("quiz %s: could not post its standings: %s", session.game_id, describe(exc))

    async def _announce_interrupted(self, games) -> None:
        for game in games:
            if game.message_id is None:
                continue
            try:
                setting = (await self.store.guilds.get(game.guild_id)).language
                lang = resolve_language(setting)
                message = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
                await message.get_partial_message(game.message_id).edit(
                    embed=ui.interrupted_embed(lang), view=None)
            except (discord.NotFound, discord.Forbidden):
                log.info("quiz %s: its message is gone or out of reach; not edited", game.game_id)
            except discord.HTTPException as exc:
                log.warning("quiz %s: could not mark its message interrupted: %s", game.game_id, exc)

    # -- helpers --------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _lang(self, session: QuizSession, interaction: discord.Interaction) -> str:
        """The reader's language without a store read (clicks must stay cheap)."""
        guild_locale = str(interaction.guild_locale) if interaction.guild_locale else None
        return resolve_language(session.language, str(interaction.locale), guild_locale)

    async def _privileged(self, interaction: discord.Interaction, session: QuizSession) -> bool:
        """The starter, or a manager (Manage Server or the bot-manager role), decides alone."""
        if interaction.user.id == session.starter_id:
            return True
        settings = await self.store.guilds.get(session.guild_id)
        return interaction_is_manager(interaction, settings)

    # -- /quiz start ------------------------------------------------------------------------

    @app_commands.command(name="start", description="Start a K-drama OST quiz in this channel")
    @app_commands.describe(rounds="How many questions (1-20; default: the server's setting)",
                           seconds="Seconds per question (10-60; default: the server's setting)",
                           mode="buttons: pick one of four; typed: type the answer",
                           topic="What the questions are about (default: any)",
                           style="classic; elimination: lose a life for each miss; teams: play in teams",
                           lives="Elimination: lives per player (1-10, default 3)",
                           teams="Teams: how many teams (2-4, default 2)")
    async def quiz_start(self, interaction: discord.Interaction,
                         rounds: app_commands.Range[int, 1, 20] | None = None,
                         seconds: app_commands.Range[int, 10, 60] | None = None,
                         mode: Literal["buttons", "typed"] | None = None,
                         topic: Topic | None = None,
                         style: Style | None = None,
                         lives: app_commands.Range[int, 1, 10] | None = None,
                         teams: app_commands.Range[int, 2, 4] | None = None) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        style = style or "classic"
        if lives is not None and style != "elimination":
            raise UserError("quiz.error.lives_need_elimination")
        if teams is not None and style != "teams":
            raise UserError("quiz.error.teams_need_teams")
        settings = await self.store.guilds.get(interaction.guild_id)
        if settings.quiz_channel_id is not None and settings.quiz_channel_id != interaction.channel_id:
            raise UserError("quiz.error.wrong_channel", channel=f"<#{settings.quiz_channel_id}>")
        if (link := self._running_link(interaction.channel_id)) is not None:
            raise UserError("quiz.error.running", link=link)
        # Rounds are plain channel messages (they outlive the 15-minute interaction token).
        missing = missing_post_permissions(interaction.app_permissions)
        if missing:
            raise UserError("error.bot_missing_permission", permissions=", ".join(missing))
        rounds = rounds or settings.quiz_rounds
        if style == "elimination" and rounds < 2:
            raise UserError("quiz.error.elimination_rounds")
        lang = await self.bot.language_for(interaction)
        seconds = seconds or settings.quiz_seconds
        mode = mode or settings.quiz_mode
        topic = topic or "any"
        await interaction.response.defer(thinking=True)
        seen = await self.store.quiz.seen(interaction.channel_id)
        pool = await self.store.quiz.question_pool(interaction.guild_id, rng=self.rng, topic=topic, seen=seen,
                                                   rounds=rounds)
        # Off the event loop: with a big catalog, choosing distractors takes long enough to delay
        # other servers' clicks (measured in BENCHMARKS.md).
        rng = random.Random(self.rng.random())
        questions = await asyncio.to_thread(generate_questions, pool, rounds, topic=topic, seen=seen, rng=rng)
        if not questions:
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.no_questions")
        if style == "elimination" and len(questions) < 2:
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.elimination_rounds")
        if (link := self._running_link(interaction.channel_id)) is not None:  # started while we prepared
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.running", link=link)
        session = QuizSession(game_id=0, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
                              starter_id=interaction.user.id, mode=mode, seconds=seconds, topic=topic,
                              questions=questions, language=settings.language, style=style,
                              lives=lives or DEFAULT_LIVES, team_count=(teams or 2) if style == "teams" else 0)
        game_id = await self.store.quiz.create_game(
            guild_id=interaction.guild_id, channel_id=interaction.channel_id, started_by=interaction.user.id,
            mode=mode, topic=topic, rounds=len(questions), seconds=seconds, now=wall(), style=style,
            lives=session.lives if style == "elimination" else None,
            teams=session.team_count or None, questions=encode_questions(questions), state=session.snapshot())
        if game_id is None:  # another process or a race won the channel
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.running", link=f"<#{interaction.channel_id}>")
        session.game_id = game_id
        assert interaction.channel is not None
        runner = GameRunner(self, Game(session), interaction.channel, lang)  # type: ignore[arg-type]
        self.sessions.add(session)
        self.runners[game_id] = runner
        try:
            await interaction.edit_original_response(embed=ui.start_embed(session, lang, asked=rounds))
        except discord.HTTPException as exc:
            # The rounds are channel messages: the game does not need its announcement.
            log.warning("quiz %s: the start announcement failed (%s); the quiz goes on", game_id, describe(exc))
        finally:
            await self._launch(runner, interaction)

    async def _launch(self, runner: GameRunner, interaction: discord.Interaction) -> None:
        """Start the game loop, unless the cog unloaded while /quiz start was on its way: then the game
        stays in the store, unplayed, and the next start plays it (its announcement says so)."""
        session = runner.session
        if self._unloading:
            log.info("quiz %s: not started, the bot is shutting down; the next start plays it", session.game_id)
            self._forget(session)
            with contextlib.suppress(discord.HTTPException):
                await interaction.edit_original_response(embed=ui.paused_embed(runner.lang))
            return
        runner.task = asyncio.create_task(self._run(runner), name=f"quiz-{session.game_id}")

    def _running_link(self, channel_id: int) -> str | None:
        """A link to the quiz running in this channel (its current round), or None."""
        running = self.sessions.for_channel(channel_id)
        if running is None:
            return None
        if running.message_id is None:
            return f"<#{running.channel_id}>"
        return f"https://discord.com/channels/{running.guild_id}/{running.channel_id}/{running.message_id}"

    async def _drop_thinking(self, interaction: discord.Interaction) -> None:
        """Remove the public "thinking…" reply so the refusal can be private."""
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()

    # -- the game loop -----------------------------------------------------------------------

    async def _discord(self, runner: GameRunner, what: str, call):
        """`call()` (a Discord request of the game loop); after a passing fault, wait RETRY_WAIT on
        the loop clock and call once more. The second failure, or any other error, propagates."""
        try:
            return await call()
        except discord.HTTPException as exc:
            if not is_passing_fault(exc):
                raise
            log.warning("quiz %s: %s failed (%s); trying again in %.0f s", runner.session.game_id, what,
                        describe(exc), RETRY_WAIT)
        await runner.game.wait(RETRY_WAIT)
        return await call()

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
            if self._unloading or self.store.closed:
                # Shutdown overtook the game (the store refuses writes from now on): the next start resumes it.
                log.info("quiz %s paused by shutdown (%s)", session.game_id, exc)
                return
            if is_passing_fault(exc):  # already logged once by _discord; this is the failed retry
                log.warning("quiz %s ended: Discord failed again (%s)", session.game_id, describe(exc))
            elif isinstance(exc, StoreUnavailable):  # the database went away: the rounds stored are kept
                log.warning("quiz %s ended: %s", session.game_id, exc)
            else:
                log.exception("quiz %s failed", session.game_id)
            await self._abandon(session)
        finally:
            self._forget(session)

    def _forget(self, session: QuizSession) -> None:
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

    # -- answers ----------------------------------------------------------------------------

    async def _session_or_stale(self, interaction: discord.Interaction, game_id: int) -> QuizSession | None:
        """The game's session in this process; None after telling the member the game is not here."""
        session = self.sessions.for_game(game_id)
        if session is None:
            await self._stale(interaction, game_id)
        return session

    async def _stale(self, interaction: discord.Interaction, game_id: int) -> None:
        lang = await self.bot.language_for(interaction)
        game = await self.store.quiz.game(game_id)
        if game is not None and game.status == "running":
            key = "quiz.click.resuming"  # a restart in progress: the game goes on in a moment
        elif game is not None and game.status == "interrupted":
            key = "quiz.click.interrupted"
        else:
            key = "quiz.click.ended"
        await send_ephemeral(interaction, t(key, lang))

    async def answer_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int,
                             option: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = self._lang(session, interaction)
        outcome = session.answer_option(interaction.user.id, round_number, option, self._now())
        locked = outcome is Outcome.LOCKED  # only then is this round's question the one answered
        answer = safe(ui.name_text(session.question.options[option], lang), 200) if locked else ""
        if locked:  # kept before the player is told
            await self.answers.keep(game_id, round_number, session.answer_of(interaction.user.id))
        await self._receipt(interaction, outcome, lang, answer)

    async def typed_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = self._lang(session, interaction)
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        refused = session.may_answer(interaction.user.id)
        if refused is not None:
            return await self._receipt(interaction, refused, lang, "")
        modal = ui.answer_modal(game_id, round_number, lang)
        modal.stop()  # routed by custom id (route_by_custom_id); a stopped modal is not kept in memory
        await interaction.response.send_modal(modal)  # a Discord fault here: bot.components.answer_errors

    async def typed_submitted(self, interaction: discord.Interaction, game_id: int, round_number: int,
                            text: str) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = self._lang(session, interaction)
        outcome = session.answer_text(interaction.user.id, round_number, text, self._now())
        if outcome is Outcome.LOCKED:  # kept before the player is told
            await self.answers.keep(game_id, round_number, session.answer_of(interaction.user.id))
        await self._receipt(interaction, outcome, lang, safe(" ".join(text.split()), 100))

    @staticmethod
    async def _receipt(interaction: discord.Interaction, outcome: Outcome, lang: str, answer: str) -> None:
        """The private reply to an answer: locked in (with the answer shown), or why not."""
        if outcome is Outcome.LOCKED:
            key, params = "quiz.locked", {"answer": answer}
        else:
            key, params = RECEIPTS[outcome], {}
        await send_ephemeral(interaction, t(key, lang, **params))

    # -- hints and skips ---------------------------------------------------------------------

    async def hint_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        await self._hint(interaction, session, round_number)

    async def _hint(self, interaction: discord.Interaction, session: QuizSession, round_number: int) -> None:
        lang = self._lang(session, interaction)
        if session.mode != "typed":
            return await send_ephemeral(interaction, t("quiz.hint.typed_only", lang))
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        vote = session.vote_hint(interaction.user.id, await self._privileged(interaction, session))
        votes, needed = session.votes("hint")
        if vote is Vote.PASSED:
            runner = self.runners.get(session.game_id)
            await send_ephemeral(interaction, t("quiz.hint.given", lang, number=session.hints, cost=HINT_COST))
            if runner is not None:
                await runner.refresh_round()
                with contextlib.suppress(Exception):
                    await runner.save()
            return
        key = {Vote.COUNTED: "quiz.hint.counted", Vote.ALREADY: "quiz.hint.already",
               Vote.NOT_PLAYER: "quiz.hint.not_player", Vote.NOT_NOW: "quiz.hint.none_left"}[vote]
        await send_ephemeral(interaction, t(key, lang, votes=votes, needed=needed))

    async def skip_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = self._lang(session, interaction)
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        privileged = await self._privileged(interaction, session)
        vote = session.vote_skip(interaction.user.id, privileged)
        votes, needed = session.votes("skip")
        if vote is Vote.PASSED:
            runner = self.runners.get(session.game_id)
            # The starter or a manager skips on their own say; anyone else's vote made the majority.
            key = "quiz.skip.forced" if privileged else "quiz.skip.done"
            try:
                await interaction.response.send_message(
                    t(key, lang, user=ui.mention(interaction.user.id)),
                    allowed_mentions=discord.AllowedMentions.none())
            finally:
                if runner is not None:
                    runner.wake()
            return
        key = {Vote.COUNTED: "quiz.skip.counted", Vote.ALREADY: "quiz.skip.already",
               Vote.NOT_PLAYER: "quiz.skip.not_player", Vote.NOT_NOW: "quiz.round_over"}[vote]
        await send_ephemeral(interaction, t(key, lang, votes=votes, needed=needed))

    @app_commands.command(name="hint", description="Ask for a hint in this channel's typed quiz round")
    async def quiz_hint(self, interaction: discord.Interaction) -> None:
        session = self.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        await self._hint(interaction, session, session.round_number)

    # -- teams ---------------------------------------------------------------------------------

    async def team_clicked(self, interaction: discord.Interaction, game_id: int, team: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        await self._join(interaction, session, team)

    async def _join(self, interaction: discord.Interaction, session: QuizSession, team: int) -> None:
        lang = self._lang(session, interaction)
        outcome = session.join_team(interaction.user.id, team, self._now())
        name = ui.team_name(team, lang) if 0 <= team < max(session.team_count, 1) and session.team_count else ""
        await send_ephemeral(interaction, t(f"quiz.team.{outcome.value}", lang, team=name,
                                            count=session.team_count))
        if outcome in (Join.JOINED, Join.SWITCHED):
            runner = self.runners.get(session.game_id)
            if runner is None:
                return
            with contextlib.suppress(Exception):
                await runner.save()
            if runner.teams_message is not None and runner.game.joining:
                with contextlib.suppress(discord.HTTPException):
                    left = max(0.0, (runner.game.joining_deadline or 0.0) - self._now())
                    await runner.teams_message.edit(embed=ui.teams_embed(session, runner.lang, left))

    @app_commands.command(name="join", description="Join a team in this channel's team quiz")
    @app_commands.describe(team="Which team (1-4)")
    async def quiz_join(self, interaction: discord.Interaction, team: app_commands.Range[int, 1, 4]) -> None:
        session = self.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        await self._join(interaction, session, team - 1)

    # -- /quiz stop -------------------------------------------------------------------------

    @app_commands.command(name="stop", description="Stop the quiz running in this channel")
    async def quiz_stop(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        session = self.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        if interaction.user.id != session.starter_id:
            settings = await self.store.guilds.get(interaction.guild_id)
            if not interaction_is_manager(interaction, settings):
                raise UserError("quiz.error.stop_refused")
        session.stop()
        lang = await self.bot.language_for(interaction)
        try:
            # "Final standings follow": wake the game only once this reply is out, so they do.
            await interaction.response.send_message(t("quiz.stop.done", lang, user=ui.mention(interaction.user.id)))
        finally:
            runner = self.runners.get(session.game_id)
            if runner is not None:
                runner.wake()


    # -- /quiz leaderboard --------------------------------------------------------------------

    @app_commands.command(name="leaderboard", description="This server's best quiz players")
    @app_commands.describe(period="week: the last 7 days; month: the last 30 days; all: all time (default)",
                           by="points (default), wins (top score of a quiz played to its end) or correct answers")
    async def quiz_leaderboard(self, interaction: discord.Interaction,
                               period: Literal["week", "month", "all"] = "all",
                               by: Literal["points", "wins", "correct"] = "points") -> None:
        assert interaction.guild_id is not None
        lang = await self.bot.language_for(interaction)
        span = PERIODS[period]
        since = discord.utils.utcnow() - span if span else None
        rows = await self.store.quiz.leaderboard(interaction.guild_id, since=since, user_id=interaction.user.id,
                                                 rank_by=by)
        embed = ui.leaderboard_embed(rows, period, lang, interaction.user.id, rank_by=by)
        guild = interaction.guild
        data = pictures_ui.leaderboard_data(guild, self.names(guild), rows, lang=lang, period=period, rank_by=by,
                                            caller_id=interaction.user.id) if rows and guild else None
        await interaction.response.send_message(embed=embed, file=await self._attached(interaction, embed, data))

    async def _attached(self, interaction: discord.Interaction, embed: discord.Embed,
                        data: Picture | None) -> discord.File:
        """The reply's `file`: the picture shown in `embed`, or MISSING (the text goes alone)."""
        png = await self.picture(interaction.guild_id or 0, data)
        if data is None or png is None:
            return discord.utils.MISSING
        return pictures_ui.attachment(embed, data, png)

    # -- /quiz stats --------------------------------------------------------------------------

    @app_commands.command(name="stats", description="Quiz statistics for you or another member")
    @app_commands.describe(member="Whose statistics to show (default: yours)")
    async def quiz_stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        assert interaction.guild_id is not None
        lang = await self.bot.language_for(interaction)
        who = member or interaction.user
        stats = await self.store.quiz.player_stats(interaction.guild_id, who.id)
        if stats is None:
            await interaction.response.send_message(
                t("quiz.stats.none", lang, member=ui.mention(who.id)), ephemeral=True)
            return
        favourite = None
        if stats.favourite_drama_id is not None:
            dramas = await self.store.catalog.dramas_by_ids([stats.favourite_drama_id], interaction.guild_id)
            if dramas:
                favourite = safe(localized_name(dramas[0].name, dramas[0].hangul, lang), 200)
        embed = ui.stats_embed(who, stats, favourite, lang)
        weeks = await self.store.quiz.weekly_points(interaction.guild_id, who.id, wall(), pictures_ui.WEEKS)
        data = pictures_ui.stats_data(interaction.guild, who, stats, weeks, lang=lang) if interaction.guild else None
        await interaction.response.send_message(embed=embed, file=await self._attached(interaction, embed, data))


async def route_by_custom_id(interaction: discord.Interaction) -> None:
    """The bot's `on_interaction` listener for the quiz's two interactions found by custom id, handed to
    the cog like a dynamic item's click (`hand_over`: a friendly message when the cog is gone): an option
    of a buttons-mode round (ui.answer_button) and a typed answer's modal (ui.answer_modal). A function of
    this module, so unloading the extension removes it."""
    data: Mapping[str, object] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is discord.InteractionType.component:
        if (match := ui.ANSWER_PATTERN.fullmatch(custom_id)) is None:
            return
        what, method = "an answer button", "answer_clicked"
        args: tuple[object, ...] = (int(match["game"]), int(match["round"]), int(match["option"]))
    elif interaction.type is discord.InteractionType.modal_submit:
        if (match := ui.MODAL_PATTERN.fullmatch(custom_id)) is None:
            return
        what, method = "an answer from the modal", "typed_submitted"
        args = (int(match["game"]), int(match["round"]), ui.submitted_text(data))
    else:
        return
    try:
        await hand_over(interaction, ui.QUIZ_COG, method, *args)
    except Exception:
        log.exception("quiz: %s failed", what)
        await send_ephemeral(interaction, t("error.unexpected", await reader_language(interaction)))


async def setup(bot: OstBot) -> None:
    bot.add_listener(route_by_custom_id, "on_interaction")
    bot.add_dynamic_items(ui.TypedAnswerButton, ui.HintButton, ui.SkipButton, ui.TeamButton)
    await bot.add_cog(Quiz(bot))
