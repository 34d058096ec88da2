"""What players do in a running quiz, by click or by command: answer (a button or a typed answer),
ask for a hint, vote to skip, join a team. Each becomes a call on the game's session, and its outcome
a private reply. A click on a game this process does not play (ended, interrupted, or resuming after a
restart) is told so."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import discord

from ...access import interaction_is_manager
from ...i18n import t
from ...quiz.scoring import HINT_COST
from ...quiz.session import Join, Outcome, QuizSession, Vote
from ...replies import send_ephemeral
from ...ui import quiz as ui
from ...ui.text import safe
from ._answers import Kept
from ._games import Games, loop_now

if TYPE_CHECKING:
    from ...app import OstBot

RECEIPTS = {Outcome.ALREADY: "quiz.already", Outcome.CLOSED: "quiz.round_over", Outcome.BLANK: "quiz.blank",
            Outcome.OUT: "quiz.out", Outcome.LATE: "quiz.late"}


class PlayerActions:
    """The quiz cog's answers to players' clicks (the components hand them over) and the shared part of
    /quiz hint and /quiz join. A base class of the cog, which gives it `bot` and `games`."""

    bot: OstBot
    games: Games

    async def _session_or_stale(self, interaction: discord.Interaction, game_id: int) -> QuizSession | None:
        """The game's session in this process; None after telling the member the game is not here."""
        session = self.games.sessions.for_game(game_id)
        if session is None:
            await self._stale(interaction, game_id)
        return session

    async def _stale(self, interaction: discord.Interaction, game_id: int) -> None:
        lang = await self.bot.language_for(interaction)
        game = await self.games.store.quiz.game(game_id)
        if game is not None and game.status == "running":
            key = "quiz.click.resuming"  # a restart in progress: the game goes on in a moment
        elif game is not None and game.status == "interrupted":
            key = "quiz.click.interrupted"
        else:
            key = "quiz.click.ended"
        await send_ephemeral(interaction, t(key, lang))

    # -- answers ----------------------------------------------------------------------------

    async def answer_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int,
                             option: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = await self.bot.language_for(interaction, session.language)
        outcome = session.answer_option(interaction.user.id, round_number, option, loop_now())
        locked = outcome is Outcome.LOCKED  # only then is this round's question the one answered
        answer = safe(ui.name_text(session.question.options[option], lang), 200) if locked else ""
        kept = None
        if locked:  # kept before the player is told
            kept = await self.games.answers.keep(game_id, round_number, session.answer_of(interaction.user.id))
        await self._receipt(interaction, outcome, lang, answer, kept)

    async def typed_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        lang = await self.bot.language_for(interaction, session.language)
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
        lang = await self.bot.language_for(interaction, session.language)
        outcome = session.answer_text(interaction.user.id, round_number, text, loop_now())
        kept = None
        if outcome is Outcome.LOCKED:  # kept before the player is told
            kept = await self.games.answers.keep(game_id, round_number, session.answer_of(interaction.user.id))
        await self._receipt(interaction, outcome, lang, safe(" ".join(text.split()), 100), kept)

    @staticmethod
    async def _receipt(interaction: discord.Interaction, outcome: Outcome, lang: str, answer: str,
                       kept: Kept | None = None) -> None:
        """The private reply to an answer: locked in (with the answer shown), not saved (the store
        failed), or why not taken."""
        if outcome is Outcome.LOCKED:
            key = "quiz.not_saved" if kept is Kept.FAILED else "quiz.locked"
            params = {"answer": answer}
        else:
            key, params = RECEIPTS[outcome], {}
        await send_ephemeral(interaction, t(key, lang, **params))

    # -- hints and skips ---------------------------------------------------------------------

    async def hint_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        await self._hint(interaction, session, round_number)

    async def _hint(self, interaction: discord.Interaction, session: QuizSession, round_number: int) -> None:
        lang = await self.bot.language_for(interaction, session.language)
        if session.mode != "typed":
            return await send_ephemeral(interaction, t("quiz.hint.typed_only", lang))
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        vote = session.vote_hint(interaction.user.id, manager=await self._is_manager(interaction, session))
        votes, needed = session.votes("hint")
        if vote is Vote.PASSED:
            runner = self.games.runners.get(session.game_id)
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
        lang = await self.bot.language_for(interaction, session.language)
        if not session.accepts(round_number):
            return await send_ephemeral(interaction, t("quiz.round_over", lang))
        manager = await self._is_manager(interaction, session)
        vote = session.vote_skip(interaction.user.id, manager=manager)
        votes, needed = session.votes("skip")
        if vote is Vote.PASSED:
            runner = self.games.runners.get(session.game_id)
            # The starter or a manager skips on their own say; anyone else's vote made the majority.
            key = "quiz.skip.forced" if session.decides_alone(interaction.user.id, manager) else "quiz.skip.done"
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

    # -- teams ---------------------------------------------------------------------------------

    async def team_clicked(self, interaction: discord.Interaction, game_id: int, team: int) -> None:
        if (session := await self._session_or_stale(interaction, game_id)) is None:
            return
        await self._join(interaction, session, team)

    async def _join(self, interaction: discord.Interaction, session: QuizSession, team: int) -> None:
        lang = await self.bot.language_for(interaction, session.language)
        outcome = session.join_team(interaction.user.id, team, loop_now())
        name = ui.team_name(team, lang) if 0 <= team < max(session.team_count, 1) and session.team_count else ""
        await send_ephemeral(interaction, t(f"quiz.team.{outcome.value}", lang, team=name,
                                            count=session.team_count))
        if outcome in (Join.JOINED, Join.SWITCHED):
            runner = self.games.runners.get(session.game_id)
            if runner is None:
                return
            with contextlib.suppress(Exception):
                await runner.save()
            if runner.teams_message is not None and runner.game.joining:
                with contextlib.suppress(discord.HTTPException):
                    left = max(0.0, (runner.game.joining_deadline or 0.0) - loop_now())
                    await runner.teams_message.edit(embed=ui.teams_embed(session, runner.lang, left))

    # -- helpers --------------------------------------------------------------------------

    async def _is_manager(self, interaction: discord.Interaction, session: QuizSession) -> bool:
        """Manage Server or the bot-manager role: a manager decides hints and skips alone (the session's
        rule). Not read for the starter, who decides alone anyway."""
        if interaction.user.id == session.starter_id:
            return False
        settings = await self.games.store.guilds.get(session.guild_id)
        return interaction_is_manager(interaction, settings)
