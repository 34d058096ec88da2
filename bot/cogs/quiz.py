"""/quiz start|stop|leaderboard|stats: multi-round OST trivia.

Thin glue: questions come from `bot.quiz.questions`, the game's state from a
`bot.quiz.session.QuizSession`, storage from `store.quiz`, embeds and buttons from
`bot.ui.quiz`. Each running quiz is one `GameRunner` task: post the round, wait on the event
loop's clock, close the round, write its results in one transaction, reveal, pause, repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ..access import interaction_is_manager, missing_post_permissions
from ..errors import UserError
from ..i18n import resolve_language, t
from ..quiz.questions import generate_questions
from ..quiz.session import EndReason, Outcome, QuizSession, SessionRegistry
from ..store import StoreUnavailable
from ..tree import describe, is_passing_fault, send_ephemeral
from ..ui import quiz as ui
from ..ui.text import localized_name, safe

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

REVEAL_PAUSE = 4.0
# After a passing Discord fault (5xx, 429) on a round post, a reveal or the standings, the game waits
# this long on the loop clock and tries once more (discord.py has already retried inside its client).
RETRY_WAIT = 2.0
PERIODS = {"week": dt.timedelta(days=7), "month": dt.timedelta(days=30), "all": None}
Topic = Literal["any", "dramas", "singers", "facts", "years", "actors"]


class GameRunner:
    """One running quiz: its session, where it posts, and the task that drives it."""

    def __init__(self, session: QuizSession, channel: discord.abc.Messageable, lang: str) -> None:
        self.session = session
        self.channel = channel
        self.lang = lang
        self.task: asyncio.Task | None = None
        self.message: discord.Message | None = None
        self._sleeper: asyncio.Task | None = None

    async def wait(self, seconds: float) -> None:
        """Sleep on the loop clock; `wake()` (from /quiz stop) ends the sleep at once."""
        if self.session.over and self.session.end_reason is EndReason.STOPPED:
            return
        self._sleeper = asyncio.create_task(asyncio.sleep(seconds))
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


@app_commands.guild_only()
class Quiz(commands.GroupCog, name=ui.QUIZ_COG, group_name="quiz", group_description="K-drama OST trivia quizzes"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.sessions = SessionRegistry()
        self.runners: dict[int, GameRunner] = {}
        self._recovery: asyncio.Task | None = None
        self._unloading = False
        self.rng = random.Random()
        super().__init__()

    @property
    def store(self):
        assert self.bot.store is not None
        return self.bot.store

    # -- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        # Quizzes still "running" in the store died with the previous process.
        interrupted = await self.store.quiz.interrupt_running(discord.utils.utcnow(), owns=self.bot.owns_guild)
        if interrupted:
            log.info("marked %d unfinished quizzes interrupted", len(interrupted))
            self._recovery = asyncio.create_task(self._announce_interrupted(interrupted))

    async def cog_unload(self) -> None:
        # Shutdown (or a reload): the games end here. The round in progress is not scored (as after
        # a crash), but the game is marked interrupted at once, while the store is open and Discord
        # still reachable, so its message says so and nothing is left 'running'.
        # A /quiz start still on its way starts no game loop from now on (see _launch).
        self._unloading = True
        runners = list(self.runners.values())
        tasks = [r.task for r in runners if r.task is not None]
        if self._recovery is not None:
            tasks.append(self._recovery)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runner in runners:
            await self._interrupt_on_unload(runner)

    async def _interrupt_on_unload(self, runner: GameRunner) -> None:
        game_id = runner.session.game_id
        try:
            await self.store.quiz.end_game(game_id, "interrupted", discord.utils.utcnow())
            game = await self.store.quiz.game(game_id)
            if game is None or game.status != "interrupted" or runner.message is None:
                return
            log.info("quiz %s interrupted by shutdown after %d rounds", game_id, game.rounds_played)
            await runner.message.edit(embed=ui.interrupted_embed(runner.lang), view=None)
        except discord.HTTPException as exc:
            log.warning("quiz %s: could not mark its message interrupted: %s", game_id, exc)
        except Exception:  # the next start marks it interrupted anyway
            log.exception("quiz %s: could not mark it interrupted at shutdown", game_id)

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

    # -- /quiz start ------------------------------------------------------------------------

    @app_commands.command(name="start", description="Start a K-drama OST quiz in this channel")
    @app_commands.describe(rounds="How many questions (1-20; default: the server's setting)",
                           seconds="Seconds per question (10-60; default: the server's setting)",
                           mode="buttons: pick one of four; typed: type the answer",
                           topic="What the questions are about (default: any)")
    async def quiz_start(self, interaction: discord.Interaction,
                         rounds: app_commands.Range[int, 1, 20] | None = None,
                         seconds: app_commands.Range[int, 10, 60] | None = None,
                         mode: Literal["buttons", "typed"] | None = None,
                         topic: Topic | None = None) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        settings = await self.store.guilds.get(interaction.guild_id)
        if settings.quiz_channel_id is not None and settings.quiz_channel_id != interaction.channel_id:
            raise UserError("quiz.error.wrong_channel", channel=f"<#{settings.quiz_channel_id}>")
        if (link := self._running_link(interaction.channel_id)) is not None:
            raise UserError("quiz.error.running", link=link)
        # Rounds are plain channel messages (they outlive the 15-minute interaction token).
        missing = missing_post_permissions(interaction.app_permissions)
        if missing:
            raise UserError("error.bot_missing_permission", permissions=", ".join(missing))
        lang = await self.bot.language_for(interaction)
        rounds = rounds or settings.quiz_rounds
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
        if (link := self._running_link(interaction.channel_id)) is not None:  # started while we prepared
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.running", link=link)
        game_id = await self.store.quiz.create_game(
            guild_id=interaction.guild_id, channel_id=interaction.channel_id, started_by=interaction.user.id,
            mode=mode, topic=topic, rounds=len(questions), seconds=seconds, now=discord.utils.utcnow())
        if game_id is None:  # another process or a race won the channel
            await self._drop_thinking(interaction)
            raise UserError("quiz.error.running", link=f"<#{interaction.channel_id}>")
        session = QuizSession(game_id=game_id, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
                              starter_id=interaction.user.id, mode=mode, seconds=seconds, topic=topic,
                              questions=questions, language=settings.language)
        assert interaction.channel is not None
        runner = GameRunner(session, interaction.channel, lang)  # type: ignore[arg-type]
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
        stays unplayed, its announcement says so, and the bot marks its row interrupted before the
        store closes."""
        session = runner.session
        if self._unloading:
            log.info("quiz %s: not started, the bot is shutting down", session.game_id)
            self._forget(session)
            with contextlib.suppress(discord.HTTPException):
                await interaction.edit_original_response(embed=ui.interrupted_embed(runner.lang))
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
        await runner.wait(RETRY_WAIT)
        return await call()

    async def _run(self, runner: GameRunner) -> None:
        session = runner.session
        status_written = False
        try:
            while not session.over:
                question = session.open_round(self._now())

                def post_round(question=question):
                    deadline = discord.utils.utcnow() + dt.timedelta(seconds=session.seconds)
                    return runner.channel.send(embed=ui.question_embed(session, question, runner.lang, deadline),
                                               view=ui.round_view(session, question, runner.lang))

                runner.message = await self._discord(runner, f"posting round {session.round_number}", post_round)
                # Answers count from when the round could be seen (later than opened, after a retry).
                session.round_started_at = self._now()
                session.message_id = runner.message.id
                await self.store.quiz.set_message(session.game_id, runner.message.id)
                await runner.wait(session.seconds)
                result = session.close_round()
                end = session.end_reason.value if session.end_reason else None
                await self.store.quiz.record_round(session.game_id, session.guild_id, session.channel_id, result,
                                                   discord.utils.utcnow(), end_status=end)
                status_written = end is not None
                await self._reveal(runner, result)
                if not session.over:
                    await runner.wait(REVEAL_PAUSE)
            if not status_written:  # stopped during the pause after a reveal
                await self.store.quiz.end_game(session.game_id, (session.end_reason or EndReason.STOPPED).value,
                                               discord.utils.utcnow())
            await self._discord(runner, "posting the standings",
                                lambda: runner.channel.send(embed=ui.standings_embed(session, runner.lang)))
        except asyncio.CancelledError:
            raise  # shutting down: the next start marks the game interrupted
        except (discord.NotFound, discord.Forbidden) as exc:
            log.info("quiz %s ended: the channel is out of reach (%s)", session.game_id, exc)
            await self._abandon(session)
        except Exception as exc:
            if self._unloading or self.store.closed:
                # Shutdown overtook the game (the store refuses writes from now on): expected, no traceback.
                log.info("quiz %s ended by shutdown (%s)", session.game_id, exc)
            elif is_passing_fault(exc):  # already logged once by _discord; this is the failed retry
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
        if self.store.closed:
            return  # the next start marks every game left running interrupted
        try:
            await self.store.quiz.end_game(session.game_id, "interrupted", discord.utils.utcnow())
        except StoreUnavailable as exc:  # still unreachable: the next start marks it interrupted
            log.warning("quiz %s: could not mark it interrupted: %s", session.game_id, exc)
        except Exception:
            log.exception("quiz %s: could not mark it interrupted", session.game_id)

    async def _reveal(self, runner: GameRunner, result) -> None:
        session = runner.session
        if runner.message is None:
            return
        message = runner.message
        try:
            await self._discord(runner, f"revealing round {result.number}", lambda: message.edit(
                embed=ui.reveal_embed(session, result, runner.lang),
                view=ui.round_view(session, result.question, runner.lang, revealed=True)))
        except discord.NotFound:
            log.info("quiz %s: round message deleted before the reveal", session.game_id)
        except discord.HTTPException as exc:
            if not is_passing_fault(exc):
                raise
            # The round is stored; only its reveal is missing. The next round may well go through.
            log.warning("quiz %s: round %d stays unrevealed (%s); the quiz goes on", session.game_id, result.number,
                        describe(exc))

    # -- answers ----------------------------------------------------------------------------

    async def _stale(self, interaction: discord.Interaction, game_id: int) -> None:
        lang = await self.bot.language_for(interaction)
        game = await self.store.quiz.game(game_id)
        key = "quiz.click.interrupted" if game is not None and game.status == "interrupted" else "quiz.click.ended"
        await send_ephemeral(interaction, t(key, lang))

    async def answer_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int,
                             option: int) -> None:
        session = self.sessions.for_game(game_id)
        if session is None:
            return await self._stale(interaction, game_id)
        lang = self._lang(session, interaction)
        outcome = session.answer_option(interaction.user.id, round_number, option, self._now())
        locked = outcome is Outcome.LOCKED  # only then is this round's question the one answered
        answer = safe(ui.name_text(session.question.options[option], lang), 200) if locked else ""
        await self._receipt(interaction, outcome, lang, answer)

    async def typed_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        session = self.sessions.for_game(game_id)
        if session is None:
            return await self._stale(interaction, game_id)
        lang = self._lang(session, interaction)
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        if session.has_answered(interaction.user.id):
            return await send_ephemeral(interaction, t("quiz.already", lang))
        modal = ui.answer_modal(game_id, round_number, lang)
        modal.stop()  # answered in on_interaction by custom_id; a stopped modal is not kept in memory
        await interaction.response.send_modal(modal)  # a Discord fault here: bot.tree.answer_errors

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        match = ui.MODAL_PATTERN.fullmatch(str((interaction.data or {}).get("custom_id", "")))
        if match is None:
            return
        try:
            await self._typed_answer(interaction, int(match["game"]), int(match["round"]),
                                     ui.submitted_text(interaction.data))
        except Exception:
            log.exception("quiz answer from the modal failed")
            await send_ephemeral(interaction, t("error.unexpected", await self.bot.language_for(interaction)))

    async def _typed_answer(self, interaction: discord.Interaction, game_id: int, round_number: int,
                            text: str) -> None:
        session = self.sessions.for_game(game_id)
        if session is None:
            return await self._stale(interaction, game_id)
        lang = self._lang(session, interaction)
        outcome = session.answer_text(interaction.user.id, round_number, text, self._now())
        await self._receipt(interaction, outcome, lang, safe(" ".join(text.split()), 100))

    @staticmethod
    async def _receipt(interaction: discord.Interaction, outcome: Outcome, lang: str, answer: str) -> None:
        """The private reply to an answer: locked in (with the answer shown), already, or too late."""
        if outcome is Outcome.LOCKED:
            key, params = "quiz.locked", {"answer": answer}
        else:
            key, params = f"quiz.{'already' if outcome is Outcome.ALREADY else 'round_over'}", {}
        await send_ephemeral(interaction, t(key, lang, **params))

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
        await interaction.response.send_message(
            embed=ui.leaderboard_embed(rows, period, lang, interaction.user.id, rank_by=by))

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
        await interaction.response.send_message(embed=ui.stats_embed(who, stats, favourite, lang))


async def setup(bot: OstBot) -> None:
    bot.add_dynamic_items(ui.AnswerButton, ui.TypedAnswerButton)
    await bot.add_cog(Quiz(bot))
