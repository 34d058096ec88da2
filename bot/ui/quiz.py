"""Quiz presentation: round, reveal, standings, leaderboard and stats embeds; answer buttons.

Answer buttons are `DynamicItem`s whose custom_id carries the game id, the round and the
option ("quiz:a:12:3:1"); the typed mode's "Answer" button carries the game and round
("quiz:t:12:3"), and so does its modal ("quiz:m:12:3"). Nothing lives in a View, so a click
after a restart still reaches the quiz cog, which answers it sensibly. The cog registers the
DynamicItems in its setup; a click is handed to the cog named `QUIZ_COG`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import discord

from ..catalog.text import clip
from ..components import hand_over
from ..i18n import t
from ..quiz.questions import Name, Question
from ..quiz.session import Player, QuizSession, RoundResult
from .text import localized_name, safe, source_credit

COLOUR = discord.Colour(0x9B59B6)
REVEAL_COLOUR = discord.Colour(0x2ECC71)
BUTTON_LABEL_MAX = 80
MAX_LINES = 15
ALSO_SHOWN = 8           # other right answers named at a reveal (a drama may have a dozen songs)
ANSWER_MAX_LENGTH = 100

ANSWER_TEMPLATE = r"quiz:a:(?P<game>\d+):(?P<round>\d+):(?P<option>\d)"
TYPED_TEMPLATE = r"quiz:t:(?P<game>\d+):(?P<round>\d+)"
MODAL_PATTERN = re.compile(r"quiz:m:(?P<game>\d+):(?P<round>\d+)")
ANSWER_FIELD = "answer"

QUIZ_COG = "Quiz"


def name_text(name: Name, lang: str) -> str:
    return localized_name(name.text, name.hangul, lang)


def topic_label(topic: str, lang: str) -> str:
    return t(f"quiz.topic.{topic}", lang)


def prompt(question: Question, lang: str) -> str:
    """The question in the reader's language, catalog text escaped."""
    params: dict[str, Any] = {}
    if question.kind in ("drama_of_song", "artist_of_song", "year_of_song") and question.subject:
        params["song"] = safe(name_text(question.subject, lang), 200)
    if question.kind in ("song_of_drama", "lead_actor") and question.subject:
        params["drama"] = safe(name_text(question.subject, lang), 200)
    if question.context and "drama" not in params:
        params["drama"] = safe(name_text(question.context, lang), 200)
    if question.kind == "song_from_fact":
        clue = (question.clue_ko if lang == "ko" else None) or question.clue
        params["clue"] = safe(clue or "", 600)
    return t(f"quiz.q.{question.kind}", lang, **params)


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


# -- rounds ------------------------------------------------------------------------------------

def question_embed(session: QuizSession, question: Question, lang: str, deadline: dt.datetime) -> discord.Embed:
    hint = t("quiz.round.hint_typed" if session.mode == "typed" else "quiz.round.hint_buttons", lang)
    when = discord.utils.format_dt(deadline, "R")
    embed = discord.Embed(
        title=t("quiz.round.title", lang, number=session.round_number, total=session.total_rounds),
        description=f"{prompt(question, lang)}\n\n{hint}\n{t('quiz.round.ends', lang, when=when)}",
        colour=COLOUR)
    embed.set_footer(text=t("quiz.round.footer", lang, kind=t(f"quiz.kind.{question.kind}", lang),
                            topic=topic_label(session.topic, lang)))
    return embed


def reveal_embed(session: QuizSession, result: RoundResult, lang: str) -> discord.Embed:
    question = result.question
    answer = safe(name_text(question.answer, lang), 300)
    lines = [prompt(question, lang), "", t("quiz.reveal.answer", lang, answer=answer)]
    if question.also:  # either lead actor, both singers of a duet: every right answer is named
        others = ", ".join(f"**{safe(name_text(n, lang), 100)}**" for n in question.also[:ALSO_SHOWN])
        if len(question.also) > ALSO_SHOWN:
            others += t("quiz.reveal.also_more", lang, count=len(question.also) - ALSO_SHOWN)
        lines.append(t("quiz.reveal.also", lang, answers=others))
    clue = question.clue_fact
    if clue is not None and (question.fact is None or question.fact.source != clue.source):
        # The clue is a fact too: its article is named (the "did you know" names its own below).
        lines.append("-# " + safe(t("quiz.reveal.clue_source", lang, source=source_credit(clue.source, lang)), 300))
    embed = discord.Embed(
        title=t("quiz.reveal.title", lang, number=result.number, total=session.total_rounds),
        description=clip("\n".join(lines), 4096), colour=REVEAL_COLOUR)
    winners = result.winners
    if winners:
        lines = []
        for a in winners[:MAX_LINES]:
            line = t("quiz.reveal.winner_line", lang, user=mention(a.user_id), points=a.points.total)
            if a.streak >= 2:
                line += t("quiz.reveal.streak", lang, streak=a.streak)
            lines.append(line)
        if len(winners) > MAX_LINES:
            lines.append(t("quiz.reveal.more", lang, count=len(winners) - MAX_LINES))
        embed.add_field(name=t("quiz.reveal.winners", lang), value=clip("\n".join(lines), 1024), inline=False)
    elif result.answers:
        embed.add_field(name=t("quiz.reveal.winners", lang), value=t("quiz.reveal.nobody", lang), inline=False)
    else:
        embed.add_field(name=t("quiz.reveal.winners", lang), value=t("quiz.reveal.no_answers", lang), inline=False)
    wrong = len(result.answers) - len(winners)
    if wrong:
        embed.add_field(name="\u200b", value=t("quiz.reveal.wrong", lang, count=wrong), inline=False)
    fact = question.fact
    if fact is not None:
        source = t("common.source", lang, source=source_credit(fact.source, lang))
        embed.add_field(name=t("quiz.reveal.fact", lang),
                        value=f"{safe(fact.text_in(lang), 700)}\n-# {safe(source, 300)}", inline=False)
    embed.set_footer(text=t("quiz.reveal.last" if session.over else "quiz.reveal.next", lang))
    return embed


def standings_embed(session: QuizSession, lang: str) -> discord.Embed:
    reason = session.end_reason.value if session.end_reason else "finished"
    lines = [line_for(rank, p, lang) for rank, p in enumerate(session.standings()[:MAX_LINES], 1)]
    body = "\n".join(lines) if lines else t("quiz.end.nobody", lang)
    return discord.Embed(title=t("quiz.end.title", lang), colour=COLOUR,
                         description=clip(f"{t(f'quiz.end.{reason}', lang)}\n\n{body}", 4096))


def line_for(rank: int, player: Player, lang: str) -> str:
    return t("quiz.end.line", lang, rank=rank, user=mention(player.user_id), points=player.points,
             correct=player.correct, streak=player.best_streak)


def interrupted_embed(lang: str) -> discord.Embed:
    return discord.Embed(title=t("quiz.interrupted.title", lang), description=t("quiz.interrupted.body", lang),
                         colour=discord.Colour.dark_grey())


def start_embed(session: QuizSession, lang: str, asked: int | None = None) -> discord.Embed:
    """The announcement; when fewer rounds than `asked` could be made, it says so and why."""
    body = t("quiz.start.body", lang, starter=mention(session.starter_id), rounds=session.total_rounds,
             seconds=session.seconds, mode=t(f"quiz.mode.{session.mode}", lang),
             topic=topic_label(session.topic, lang))
    if asked is not None and session.total_rounds < asked:
        body += "\n" + t("quiz.start.short", lang, count=session.total_rounds, asked=asked,
                         topic=topic_label(session.topic, lang))
    return discord.Embed(title=t("quiz.start.title", lang), colour=COLOUR, description=body)


# -- components --------------------------------------------------------------------------------

class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=ANSWER_TEMPLATE):
    def __init__(self, game_id: int, round_number: int, option: int, *, label: str = "?",
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=clip(label, BUTTON_LABEL_MAX) or "?", style=style, disabled=disabled,
            custom_id=f"quiz:a:{game_id}:{round_number}:{option}"))
        self.game_id = game_id
        self.round_number = round_number
        self.option = option

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> AnswerButton:
        return cls(int(match["game"]), int(match["round"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_over(interaction, QUIZ_COG, "answer_clicked", self.game_id, self.round_number, self.option)


class TypedAnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=TYPED_TEMPLATE):
    def __init__(self, game_id: int, round_number: int, *, label: str = "Answer", disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.primary, emoji="✍️", disabled=disabled,
            custom_id=f"quiz:t:{game_id}:{round_number}"))
        self.game_id = game_id
        self.round_number = round_number

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> TypedAnswerButton:
        return cls(int(match["game"]), int(match["round"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_over(interaction, QUIZ_COG, "typed_clicked", self.game_id, self.round_number)


def round_view(session: QuizSession, question: Question, lang: str, *, revealed: bool = False) -> discord.ui.View:
    """The round's buttons; after the reveal all disabled, the right option in green."""
    view = discord.ui.View(timeout=None)
    if session.mode == "typed":
        view.add_item(TypedAnswerButton(session.game_id, session.round_number, label=t("quiz.button.answer", lang),
                                        disabled=revealed))
        return view
    for index, option in enumerate(question.options):
        style = discord.ButtonStyle.secondary
        if revealed and index == question.correct:
            style = discord.ButtonStyle.success
        view.add_item(AnswerButton(session.game_id, session.round_number, index, label=name_text(option, lang),
                                   style=style, disabled=revealed))
    return view


def answer_modal(game_id: int, round_number: int, lang: str) -> discord.ui.Modal:
    """One text field. The cog answers its submission from `on_interaction` by custom_id, so
    the modal is never kept in memory (a dismissed modal would otherwise stay forever)."""
    modal = discord.ui.Modal(title=t("quiz.modal.title", lang), custom_id=f"quiz:m:{game_id}:{round_number}",
                             timeout=None)
    modal.add_item(discord.ui.Label(text=t("quiz.modal.label", lang), component=discord.ui.TextInput(
        custom_id=ANSWER_FIELD, placeholder=t("quiz.modal.placeholder", lang), max_length=ANSWER_MAX_LENGTH,
        min_length=1, required=True)))
    return modal


def submitted_text(data: Any, field: str = ANSWER_FIELD) -> str:
    """The value of text input `field` in raw modal-submit data (rows or labels, any depth)."""
    stack = list((data or {}).get("components") or [])
    while stack:
        component = stack.pop()
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == field and isinstance(component.get("value"), str):
            return component["value"]
        stack.extend(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return ""


# -- leaderboard and stats ---------------------------------------------------------------------

def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def leaderboard_embed(rows: Sequence[Any], period: str, lang: str, caller_id: int,
                      rank_by: str = "points") -> discord.Embed:
    period_text = t(f"quiz.period.{period}", lang)
    title = (t("quiz.leaderboard.title", lang, period=period_text) if rank_by == "points" else
             t("quiz.leaderboard.title_by", lang, period=period_text, by=t(f"quiz.leaderboard.by.{rank_by}", lang)))
    embed = discord.Embed(title=title, colour=COLOUR)
    if rank_by == "wins":  # say what a win is
        embed.set_footer(text=t("quiz.leaderboard.wins_note", lang))
    if not rows:
        embed.description = t("quiz.leaderboard.empty", lang, period=period_text)
        return embed
    key = "quiz.leaderboard.line" if rank_by == "points" else f"quiz.leaderboard.line_{rank_by}"

    def line(row: Any) -> str:
        return t(key, lang, rank=row.rank, user=mention(row.user_id), points=row.points, games=row.games,
                 accuracy=percent(row.accuracy), wins=row.wins, correct=row.correct, answered=row.answered)

    top = [r for r in rows if r.rank <= 10]
    embed.description = clip("\n".join(line(r) for r in top), 4096)
    mine = next((r for r in rows if r.user_id == caller_id and r.rank > 10), None)
    if mine is not None:
        embed.add_field(name=t("quiz.leaderboard.you", lang), value=line(mine), inline=False)
    return embed


def stats_embed(member: discord.abc.User, stats: Any, favourite: str | None, lang: str) -> discord.Embed:
    # The member's name once (as the author line), not again as a mention below it.
    embed = discord.Embed(title=t("quiz.stats.title", lang), colour=COLOUR)
    embed.set_author(name=clip(member.display_name, 256))
    for key, value in (("games", stats.games), ("answered", stats.answered), ("correct", stats.correct),
                       ("accuracy", percent(stats.accuracy)), ("best_streak", stats.best_streak),
                       ("points", stats.points), ("wins", stats.wins)):
        embed.add_field(name=t(f"quiz.stats.{key}", lang), value=str(value))
    if stats.by_topic:
        lines = [t("quiz.stats.topic_line", lang, topic=topic_label(a.topic, lang), accuracy=percent(a.accuracy),
                   correct=a.correct, answered=a.answered) for a in stats.by_topic]
        embed.add_field(name=t("quiz.stats.by_topic", lang), value=clip("\n".join(lines), 1024), inline=False)
    embed.add_field(name=t("quiz.stats.favourite", lang), value=favourite or t("common.none", lang), inline=False)
    return embed
