"""Quizzes go on over a restart and over a fleet's rolling deploy.

A game's state is kept in the store as it goes (answers as they are given). At start-up, the games
this process owns that cannot be resumed are marked interrupted; every other one is resumed once its
server is available (`Recovery.resume_games`): the open round with the time it has left, the answers
given before the restart counted, or ended with its standings when it cannot go on. After each
heartbeat, the games of a process that stopped are taken over (`on_fleet_beat`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord

from ...faults import describe
from ...i18n import resolve_language
from ...quiz.game import RESUME_LIMIT, Game, decode_questions, resume_plan
from ...quiz.session import DEFAULT_LIVES, EndReason, QuizSession
from ...store import Store
from ...store.quiz_rows import RunningGame
from ...store.times import parse_stamp
from ...ui import quiz as ui
from ._games import GameRunner, Games, loop_now, wall

if TYPE_CHECKING:
    from ...app import OstBot

log = logging.getLogger(__name__)


class Recovery:
    """Resumes the games this process owns: at start-up (`start`), when a server becomes available, and
    after each heartbeat (games of a process that stopped)."""

    def __init__(self, bot: OstBot, games: Games) -> None:
        self.bot = bot
        self.games = games
        self.task: asyncio.Task | None = None
        self.waiting: set[int] = set()  # servers with games to resume once they are available
        self.recovered = False  # the start's first pass over the games to resume is done

    @property
    def store(self) -> Store:
        return self.bot.store

    async def start(self) -> None:
        # Every game this process owns goes on once the bot is connected (its channels known).
        self.task = asyncio.create_task(self._recover(), name="quiz-recovery")

    async def _recover(self) -> None:
        await self.bot.wait_until_ready()
        await self.resume_games(lambda guild_id: self.bot.get_guild(guild_id) is not None, defer=True)
        self.recovered = True
        if self.waiting:
            # A server that has not come back by now (the bot was removed, or a long outage) ends its games.
            await asyncio.sleep(RESUME_LIMIT)
            self.waiting.clear()
            await self.resume_games(lambda _guild_id: True, defer=False)

    async def on_fleet_beat(self) -> None:
        """Take over the quizzes of this process's servers whose process stopped (during a rolling deploy
        the new process starts while the old one still plays; once the old one stops and leaves the fleet
        table, its games are resumed here)."""
        if self.games.unloading or not self.recovered:
            return
        await self.resume_games(lambda guild_id: self.bot.get_guild(guild_id) is not None, defer=False)

    async def on_guild_available(self, guild_id: int) -> None:
        if guild_id in self.waiting and not self.games.unloading:
            self.waiting.discard(guild_id)
            await self.resume_games(lambda wanted: wanted == guild_id, defer=False)

    async def resume_games(self, wanted: Callable[[int], bool], *, defer: bool) -> None:
        """Resume the running games this process owns whose server is `wanted`. With `defer`, a game whose
        server is not known yet (still streaming in after READY, or unavailable in an outage) waits for
        that server to become available (`on_guild_available`) instead of being judged gone."""
        try:
            games = await self.store.quiz.running_games(owns=self.bot.owns_guild)
        except Exception:
            log.exception("could not read the quizzes to resume")
            return
        for game in games:
            if game.questions is None or game.state is None or game.game_id in self.games.runners:
                continue
            if self._played_elsewhere(game):
                continue  # another live process plays it (a deploy's overlap): see on_fleet_beat
            if not wanted(game.guild_id):
                if defer:
                    self.waiting.add(game.guild_id)
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
        if defer and self.waiting:  # servers that became available while we read the store
            arrived = {guild_id for guild_id in self.waiting if self.bot.get_guild(guild_id) is not None}
            if arrived:
                self.waiting -= arrived
                await self.resume_games(lambda guild_id: guild_id in arrived, defer=False)

    def _played_elsewhere(self, game: RunningGame) -> bool:
        """True when the game's owner is another process whose heartbeat is fresh: it still plays it."""
        if game.owner is None or game.owner == self.store.token or game.owner_beat is None:
            return False
        return (wall() - parse_stamp(game.owner_beat)).total_seconds() < self.bot.settings.stale_after

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
        assert state is not None and questions is not None  # resume_games passes only games that can resume
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
        session.restore(state, loop_now(), plan.elapsed)
        for answer in row.pending:
            session.restore_answer(answer)
        session.message_id = row.message_id
        log.info("quiz %s: resuming after a restart (round %d%s)", row.game_id, session.round_number,
                 f", ended: {plan.end.value}" if plan.end else "")
        if plan.end is not None:
            await self._end_unresumable(session, plan.end, channel, lang)
            return
        game = Game(session, resumed=True, round_left=plan.round_left, joining_left=plan.joining_left)
        runner = GameRunner(self.games, game, channel, lang)  # type: ignore[arg-type]
        if row.message_id is not None:
            posted = channel.get_partial_message(row.message_id)  # type: ignore[union-attr]
            if game.joining_left is not None:  # still picking teams: the message is the teams', closed later
                runner.teams_message = posted
            else:
                runner.message = posted
        if session.round_open:
            runner.deadline = wall() + dt.timedelta(seconds=plan.round_left or 0.0)
        self.games.add(runner)
        with contextlib.suppress(discord.HTTPException):
            await channel.send(ui.resumed_text(session, lang, plan.round_left if session.round_open else None),  # type: ignore[union-attr]
                               allowed_mentions=discord.AllowedMentions.none())
        self.games.start(runner)

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
