"""The /quiz slash commands: start, stop, hint, join, leaderboard and stats.

The cog is the glue between Discord and the rest: questions come from `bot.quiz.questions`, a game
(its rules, state and loop) is a `bot.quiz.game.Game` played on a `GameRunner` (`_games`), what players
do is `PlayerActions` (`_players`), restarts and fleet take-overs are `Recovery` (`_recovery`), storage
is `store.quiz`, and embeds and buttons come from `bot.ui.quiz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ...access import interaction_is_manager, missing_post_permissions
from ...errors import UserError
from ...faults import describe
from ...i18n import t
from ...quiz.game import Game, encode_questions
from ...quiz.questions import generate_questions
from ...quiz.session import DEFAULT_LIVES, QuizSession
from ...ui import pictures as pictures_ui
from ...ui import quiz as ui
from ...ui.text import localized_name, safe
from ._games import GameRunner, Games, wall
from ._players import PlayerActions
from ._recovery import Recovery

if TYPE_CHECKING:
    from ...app import OstBot

log = logging.getLogger(__name__)

PERIODS = {"week": dt.timedelta(days=7), "month": dt.timedelta(days=30), "all": None}
Topic = Literal["any", "dramas", "singers", "facts", "years", "actors"]
Style = Literal["classic", "elimination", "teams"]


@dataclass(frozen=True, slots=True)
class StartRequest:
    """A quiz to start: where, by whom, and its settings (the server's defaults filled in)."""

    guild_id: int
    channel_id: int
    starter_id: int
    rounds: int
    seconds: int
    mode: str
    topic: str
    style: str
    lives: int | None
    teams: int | None


@app_commands.guild_only()
class Quiz(PlayerActions, commands.GroupCog, name=ui.QUIZ_COG.name, group_name="quiz",
           group_description="K-drama OST trivia quizzes"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.games = Games(bot)
        self.recovery = Recovery(bot, self.games)
        self.rng = random.Random()
        super().__init__()

    # -- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        await self.recovery.start()

    async def cog_unload(self) -> None:
        # The game loops stop and the games stay resumable (see Games.stop); a /quiz start still on its
        # way starts no game loop from now on (see _launch).
        await self.games.stop(self.recovery.task)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.games.pictures.note(interaction)   # the pictures draw the display names the bot has seen

    @commands.Cog.listener()
    async def on_fleet_beat(self) -> None:
        """After each heartbeat of this process: take over the quizzes of processes that stopped."""
        await self.recovery.on_fleet_beat()

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.recovery.on_guild_available(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.recovery.on_guild_available(guild.id)

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
        settings = await self._may_start(interaction.guild_id, interaction.channel_id, interaction.app_permissions)
        lang = await self.bot.language_for(interaction)
        request = StartRequest(interaction.guild_id, interaction.channel_id, interaction.user.id,
                               rounds or settings.quiz_rounds, seconds or settings.quiz_seconds,
                               mode or settings.quiz_mode, topic or "any", style, lives, teams)
        if style == "elimination" and request.rounds < 2:
            raise UserError("quiz.error.elimination_rounds")
        await interaction.response.defer(thinking=True)
        try:
            session = await self._create_game(request, settings.language)
        except UserError:
            await self._drop_thinking(interaction)
            raise
        assert interaction.channel is not None
        runner = GameRunner(self.games, Game(session), interaction.channel, lang)  # type: ignore[arg-type]
        self.games.add(runner)
        try:
            await interaction.edit_original_response(embed=ui.start_embed(session, lang, asked=request.rounds))
        except discord.HTTPException as exc:
            # The rounds are channel messages: the game does not need its announcement.
            log.warning("quiz %s: the start announcement failed (%s); the quiz goes on", session.game_id,
                        describe(exc))
        finally:
            await self._launch(runner, interaction)

    async def start_from_chat(self, message: discord.Message, rounds: int | None, lang: str) -> None:
        """A quiz asked for in a message ("quiz 5 rounds", "퀴즈 하자"): the server's defaults, announced
        as a reply to the message; refused (a UserError) where /quiz start would refuse."""
        assert message.guild is not None and message.guild.me is not None
        channel = message.channel
        settings = await self._may_start(message.guild.id, channel.id,
                                         channel.permissions_for(message.guild.me))
        request = StartRequest(message.guild.id, channel.id, message.author.id, rounds or settings.quiz_rounds,
                               settings.quiz_seconds, settings.quiz_mode, "any", "classic", None, None)
        session = await self._create_game(request, settings.language)
        runner = GameRunner(self.games, Game(session), channel, lang)
        self.games.add(runner)
        try:
            await message.reply(embed=ui.start_embed(session, lang, asked=request.rounds), mention_author=False,
                                allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("quiz %s: the start announcement failed (%s); the quiz goes on", session.game_id,
                        describe(exc))
        if self.games.unloading:
            log.info("quiz %s: not started, the bot is shutting down; the next start plays it", session.game_id)
            self.games.forget(session)
            return
        self.games.start(runner)

    async def _may_start(self, guild_id: int, channel_id: int, permissions: discord.Permissions):
        """The server's settings, when a quiz may start in this channel (the quiz channel rule, no quiz
        running there, the bot may post); a UserError saying why not otherwise."""
        settings = await self.bot.store.guilds.get(guild_id)
        if settings.quiz_channel_id is not None and settings.quiz_channel_id != channel_id:
            raise UserError("quiz.error.wrong_channel", channel=f"<#{settings.quiz_channel_id}>")
        if (link := self._running_link(channel_id)) is not None:
            raise UserError("quiz.error.running", link=link)
        # Rounds are plain channel messages (they outlive the 15-minute interaction token).
        missing = missing_post_permissions(permissions)
        if missing:
            raise UserError("error.bot_missing_permission", permissions=", ".join(missing))
        return settings

    async def _create_game(self, request: StartRequest, language: str) -> QuizSession:
        """Questions chosen and the game stored: its session, not yet playing; a UserError when there are
        too few questions or another start won the channel meanwhile."""
        seen = await self.bot.store.quiz.seen(request.channel_id)
        pool = await self.bot.store.quiz.question_pool(request.guild_id, rng=self.rng, topic=request.topic, seen=seen,
                                                   rounds=request.rounds)
        # Off the event loop: with a big catalog, choosing distractors takes long enough to delay
        # other servers' clicks (measured in BENCHMARKS.md).
        rng = random.Random(self.rng.random())
        questions = await asyncio.to_thread(generate_questions, pool, request.rounds, topic=request.topic, seen=seen,
                                            rng=rng)
        if not questions:
            raise UserError("quiz.error.no_questions")
        if request.style == "elimination" and len(questions) < 2:
            raise UserError("quiz.error.elimination_rounds")
        if (link := self._running_link(request.channel_id)) is not None:  # started while we prepared
            raise UserError("quiz.error.running", link=link)
        style, teams = request.style, request.teams
        session = QuizSession(game_id=0, guild_id=request.guild_id, channel_id=request.channel_id,
                              starter_id=request.starter_id, mode=request.mode, seconds=request.seconds,
                              topic=request.topic, questions=questions, language=language, style=style,
                              lives=request.lives or DEFAULT_LIVES, team_count=(teams or 2) if style == "teams" else 0)
        game_id = await self.bot.store.quiz.create_game(
            guild_id=request.guild_id, channel_id=request.channel_id, started_by=request.starter_id,
            mode=request.mode, topic=request.topic, rounds=len(questions), seconds=request.seconds, now=wall(),
            style=style, lives=session.lives if style == "elimination" else None,
            teams=session.team_count or None, questions=encode_questions(questions), state=session.snapshot())
        if game_id is None:  # another process or a race won the channel
            raise UserError("quiz.error.running", link=f"<#{request.channel_id}>")
        session.game_id = game_id
        return session

    async def _launch(self, runner: GameRunner, interaction: discord.Interaction) -> None:
        """Start the game loop, unless the cog unloaded while /quiz start was on its way: then the game
        stays in the store, unplayed, and the next start plays it (its announcement says so)."""
        session = runner.session
        if self.games.unloading:
            log.info("quiz %s: not started, the bot is shutting down; the next start plays it", session.game_id)
            self.games.forget(session)
            with contextlib.suppress(discord.HTTPException):
                await interaction.edit_original_response(embed=ui.paused_embed(runner.lang))
            return
        self.games.start(runner)

    def _running_link(self, channel_id: int) -> str | None:
        """A link to the quiz running in this channel (its current round), or None."""
        running = self.games.sessions.for_channel(channel_id)
        if running is None:
            return None
        if running.message_id is None:
            return f"<#{running.channel_id}>"
        return f"https://discord.com/channels/{running.guild_id}/{running.channel_id}/{running.message_id}"

    async def _drop_thinking(self, interaction: discord.Interaction) -> None:
        """Remove the public "thinking…" reply so the refusal can be private."""
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()

    # -- /quiz hint and /quiz join ---------------------------------------------------------

    @app_commands.command(name="hint", description="Ask for a hint in this channel's typed quiz round")
    async def quiz_hint(self, interaction: discord.Interaction) -> None:
        session = self.games.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        await self._hint(interaction, session, session.round_number)

    @app_commands.command(name="join", description="Join a team in this channel's team quiz")
    @app_commands.describe(team="Which team (1-4)")
    async def quiz_join(self, interaction: discord.Interaction, team: app_commands.Range[int, 1, 4]) -> None:
        session = self.games.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        await self._join(interaction, session, team - 1)

    # -- /quiz stop -------------------------------------------------------------------------

    @app_commands.command(name="stop", description="Stop the quiz running in this channel")
    async def quiz_stop(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        session = self.games.sessions.for_channel(interaction.channel_id or 0)
        if session is None or session.over:
            raise UserError("quiz.error.not_running")
        if interaction.user.id != session.starter_id:
            settings = await self.bot.store.guilds.get(interaction.guild_id)
            if not interaction_is_manager(interaction, settings):
                raise UserError("quiz.error.stop_refused")
        session.stop()
        lang = await self.bot.language_for(interaction)
        try:
            # "Final standings follow": wake the game only once this reply is out, so they do.
            await interaction.response.send_message(t("quiz.stop.done", lang, user=ui.mention(interaction.user.id)))
        finally:
            runner = self.games.runners.get(session.game_id)
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
        rows = await self.bot.store.quiz.leaderboard(interaction.guild_id, since=since, user_id=interaction.user.id,
                                                 rank_by=by)
        embed = ui.leaderboard_embed(rows, period, lang, interaction.user.id, rank_by=by)
        pictures, guild = self.games.pictures, interaction.guild
        data = pictures_ui.leaderboard_data(guild, pictures.names(guild), rows, lang=lang, period=period, rank_by=by,
                                            caller_id=interaction.user.id) if rows and guild else None
        await interaction.response.send_message(embed=embed,
                                                file=await pictures.attached(interaction.guild_id, embed, data))

    # -- /quiz stats --------------------------------------------------------------------------

    @app_commands.command(name="stats", description="Quiz statistics for you or another member")
    @app_commands.describe(member="Whose statistics to show (default: yours)")
    async def quiz_stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        assert interaction.guild_id is not None
        lang = await self.bot.language_for(interaction)
        who = member or interaction.user
        stats = await self.bot.store.quiz.player_stats(interaction.guild_id, who.id)
        if stats is None:
            await interaction.response.send_message(
                t("quiz.stats.none", lang, member=ui.mention(who.id)), ephemeral=True)
            return
        favourite = None
        if stats.favourite_drama_id is not None:
            dramas = await self.bot.store.catalog.dramas_by_ids([stats.favourite_drama_id], interaction.guild_id)
            if dramas:
                favourite = safe(localized_name(dramas[0].name, dramas[0].hangul, lang), 200)
        embed = ui.stats_embed(who, stats, favourite, lang)
        weeks = await self.bot.store.quiz.weekly_points(interaction.guild_id, who.id, wall(), pictures_ui.WEEKS)
        data = pictures_ui.stats_data(interaction.guild, who, stats, weeks, lang=lang) if interaction.guild else None
        await interaction.response.send_message(
            embed=embed, file=await self.games.pictures.attached(interaction.guild_id, embed, data))
