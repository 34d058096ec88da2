"""Quiz presentation: round, reveal, standings, leaderboard and stats embeds; the quiz's buttons.

Every quiz button is a plain button whose custom_id carries its game and what it does: an option of
a buttons-mode round carries the round and the option ("quiz:a:12:3:1"); the typed mode's "Answer"
button ("quiz:t:12:3"), its modal ("quiz:m:12:3"), Hint ("quiz:h:12:3") and Skip ("quiz:s:12:3") carry
the round; a team button carries the team ("quiz:j:12:0"). Nothing lives in a View, so a click after a
restart still reaches the quiz cog, which answers it sensibly. `quiz_click` reads a custom id back into
the call it asks of the quiz cog (`QuizClicks`); the cog's custom-id router hands that call over.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import discord

from ..catalog.text import clip
from ..components import CogRef
from ..i18n import t
from ..quiz.hints import hint_text
from ..quiz.questions import TOPICS, Name, Question
from ..quiz.scoring import HINT_COST, MAX_HINTS
from ..quiz.session import EndReason, Player, QuizSession, RoundResult
from .text import localized_name, safe, source_credit

COLOUR = discord.Colour(0x9B59B6)
REVEAL_COLOUR = discord.Colour(0x2ECC71)
BUTTON_LABEL_MAX = 80
MAX_LINES = 15
ALSO_SHOWN = 8           # other right answers named at a reveal (a drama may have a dozen songs)
ANSWER_MAX_LENGTH = 100

ANSWER_PATTERN = re.compile(r"quiz:a:(?P<game>\d+):(?P<round>\d+):(?P<option>\d)")
TYPED_PATTERN = re.compile(r"quiz:t:(?P<game>\d+):(?P<round>\d+)")
HINT_PATTERN = re.compile(r"quiz:h:(?P<game>\d+):(?P<round>\d+)")
SKIP_PATTERN = re.compile(r"quiz:s:(?P<game>\d+):(?P<round>\d+)")
TEAM_PATTERN = re.compile(r"quiz:j:(?P<game>\d+):(?P<team>\d)")
MODAL_PATTERN = re.compile(r"quiz:m:(?P<game>\d+):(?P<round>\d+)")
TEAM_EMOJI = ("🔴", "🔵", "🟢", "🟡")
ANSWER_FIELD = "answer"



class QuizClicks(Protocol):
    """What the quiz's buttons and modal ask of the quiz cog (which `QUIZ_COG.serves`)."""

    async def answer_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int,
                             option: int) -> None: ...

    async def typed_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None: ...

    async def typed_submitted(self, interaction: discord.Interaction, game_id: int, round_number: int,
                              text: str) -> None: ...

    async def hint_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None: ...

    async def skip_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int) -> None: ...

    async def team_clicked(self, interaction: discord.Interaction, game_id: int, team: int) -> None: ...


QUIZ_COG: CogRef[QuizClicks] = CogRef("Quiz")
QuizClick = Callable[[QuizClicks], Awaitable[None]]


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

def team_name(team: int, lang: str) -> str:
    return f"{TEAM_EMOJI[team]} {t(f'quiz.team.{team}', lang)}"


def hint_answer(question: Question, lang: str) -> str:
    """The name a hint uncovers: the Hangul one for Korean readers when the answer has it."""
    answer = question.answer
    return answer.hangul if lang == "ko" and answer.hangul else answer.text


def hint_line(session: QuizSession, question: Question, lang: str) -> str:
    masked = safe(hint_text(hint_answer(question, lang), session.hints), 300)
    return t("quiz.hint.line", lang, number=session.hints, total=MAX_HINTS, hint=masked)


def question_embed(session: QuizSession, question: Question, lang: str, deadline: dt.datetime) -> discord.Embed:
    how = t("quiz.round.hint_typed" if session.mode == "typed" else "quiz.round.hint_buttons", lang)
    when = discord.utils.format_dt(deadline, "R")
    lines = [prompt(question, lang), "", how]
    if session.mode == "typed":
        lines.append(t("quiz.round.hint_cost", lang, cost=HINT_COST))
    if session.hints:
        lines.append(hint_line(session, question, lang))
    lines.append(t("quiz.round.ends", lang, when=when))
    embed = discord.Embed(
        title=t("quiz.round.title", lang, number=session.round_number, total=session.total_rounds),
        description=clip("\n".join(lines), 4096), colour=COLOUR)
    if session.style == "elimination":
        standing = [p for p in session.players.values() if p.joined and p.lives > 0]
        if standing:
            embed.add_field(name=t("quiz.elimination.standing", lang), value=clip(" ".join(
                t("quiz.elimination.lives", lang, user=mention(p.user_id), lives=p.lives)
                for p in sorted(standing, key=lambda p: (-p.lives, p.order))[:MAX_LINES * 2]), 1024), inline=False)
    kind = t(f"quiz.kind.{question.kind}", lang)
    # A topic of one kind of question (lead actors) would only repeat the kind.
    alone = TOPICS.get(session.topic) == (question.kind,)
    embed.set_footer(text=kind if alone else t("quiz.round.footer", lang, kind=kind,
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
    notes = []
    if wrong:
        notes.append(t("quiz.reveal.wrong", lang, count=wrong))
    if result.skipped:
        notes.append(t("quiz.reveal.skipped", lang))
    if result.hints:
        notes.append(t("quiz.reveal.hints", lang, count=result.hints, cost=HINT_COST * result.hints))
    if result.lost_life:
        notes.append(t("quiz.reveal.lost_life", lang, users=clip(" ".join(
            mention(u) for u in result.lost_life if u not in result.knocked_out), 700) or "-"))
    if result.knocked_out:
        notes.append(t("quiz.reveal.knocked_out", lang, users=clip(" ".join(mention(u) for u in result.knocked_out),
                                                                     700)))
    if notes:
        embed.add_field(name="\u200b", value=clip("\n".join(notes), 1024), inline=False)
    fact = question.fact
    if fact is not None:
        source = t("common.source", lang, source=source_credit(fact.source, lang))
        embed.add_field(name=t("quiz.reveal.fact", lang),
                        value=f"{safe(fact.text_in(lang), 700)}\n-# {safe(source, 300)}", inline=False)
    embed.set_footer(text=reveal_footer(session, lang))
    return embed


def reveal_footer(session: QuizSession, lang: str) -> str:
    """What comes next. Only a quiz that played all its rounds says "that was the last round"; one
    that ends early says why."""
    reason = session.end_reason
    if reason is None:   # not over
        return t("quiz.reveal.next", lang)
    if reason is EndReason.FINISHED:
        return t("quiz.reveal.last", lang)
    return t(f"quiz.reveal.ended.{reason.value}", lang)


def standings_embed(session: QuizSession, lang: str) -> discord.Embed:
    reason = session.end_reason.value if session.end_reason else "finished"
    why = t(f"quiz.end.{reason}", lang)
    if session.style == "teams":
        body = teams_text(session, lang)
    else:
        players = session.standings()
        lines = [line_for(rank, p, lang, session) for rank, p in enumerate(players[:MAX_LINES], 1)]
        if len(players) > MAX_LINES:
            lines.append(t("quiz.reveal.more", lang, count=len(players) - MAX_LINES))
        body = "\n".join(lines) if lines else t("quiz.end.nobody", lang)
        if (champion := session.champion()) is not None:
            why = f"{why}\n{t('quiz.end.last_standing', lang, user=mention(champion.user_id))}"
    return discord.Embed(title=t("quiz.end.title", lang), colour=COLOUR, description=clip(f"{why}\n\n{body}", 4096))


def teams_text(session: QuizSession, lang: str) -> str:
    blocks = []
    for rank, team in enumerate(session.team_standings(), 1):
        head = t("quiz.end.team_line", lang, rank=rank, team=team_name(team.team, lang), points=team.points,
                 correct=team.correct)
        members = ", ".join(t("quiz.end.member", lang, user=mention(p.user_id), points=p.points)
                            for p in team.members[:MAX_LINES]) or t("quiz.team.empty", lang)
        blocks.append(f"{head}\n{clip(members, 900)}")
    return "\n\n".join(blocks)


def line_for(rank: int, player: Player, lang: str, session: QuizSession | None = None) -> str:
    line = t("quiz.end.line", lang, rank=rank, user=mention(player.user_id), points=player.points,
             correct=player.correct, streak=player.best_streak)
    if session is not None and session.style == "elimination":
        line += t("quiz.end.lives", lang, lives=player.lives) if player.lives > 0 else t("quiz.end.out", lang)
    return line


def teams_embed(session: QuizSession, lang: str, seconds: float) -> discord.Embed:
    """Before the first round of a team game: the teams so far and how to join."""
    embed = discord.Embed(title=t("quiz.team.title", lang), colour=COLOUR,
                          description=t("quiz.team.body", lang, seconds=round(seconds)))
    for team in range(session.team_count):
        members = " ".join(mention(p.user_id) for p in session.team_members(team)[:MAX_LINES * 2])
        embed.add_field(name=team_name(team, lang), value=clip(members, 1024) or t("quiz.team.empty", lang))
    return embed


def resumed_text(session: QuizSession, lang: str, left: float | None) -> str:
    if left is not None:
        return t("quiz.resumed.round", lang, number=session.round_number, seconds=round(left))
    return t("quiz.resumed.next", lang)


def paused_embed(lang: str) -> discord.Embed:
    return discord.Embed(title=t("quiz.paused.title", lang), description=t("quiz.paused.body", lang),
                         colour=discord.Colour.dark_grey())


def start_embed(session: QuizSession, lang: str, asked: int | None = None) -> discord.Embed:
    """The announcement; when fewer rounds than `asked` could be made, it says so and why."""
    body = t("quiz.start.body", lang, starter=mention(session.starter_id), rounds=session.total_rounds,
             seconds=session.seconds, mode=t(f"quiz.mode.{session.mode}", lang),
             topic=topic_label(session.topic, lang))
    if asked is not None and session.total_rounds < asked:
        body += "\n" + t("quiz.start.short", lang, count=session.total_rounds, asked=asked,
                         topic=topic_label(session.topic, lang))
        if session.topic == "facts":  # the catalog may have grown, but not in facts
            body += " " + t("quiz.start.short_facts", lang)
    if session.style == "elimination":
        body += "\n" + t("quiz.start.elimination", lang, lives=session.lives)
    elif session.style == "teams":
        body += "\n" + t("quiz.start.teams", lang, teams=session.team_count)
    return discord.Embed(title=t("quiz.start.title", lang), colour=COLOUR, description=body)


# -- components --------------------------------------------------------------------------------

def answer_button(game_id: int, round_number: int, option: int, *, label: str = "?",
                  style: discord.ButtonStyle = discord.ButtonStyle.secondary, disabled: bool = False
                  ) -> discord.ui.Button[Any]:
    """An option of a buttons-mode round (its clicks, ten a round in every quiz, are the bot's busiest
    interaction)."""
    return discord.ui.Button(label=clip(label, BUTTON_LABEL_MAX) or "?", style=style, disabled=disabled,
                             custom_id=f"quiz:a:{game_id}:{round_number}:{option}")


def typed_button(game_id: int, round_number: int, *, label: str, disabled: bool = False) -> discord.ui.Button[Any]:
    """The typed mode's "Answer": it opens the answer modal."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.primary, emoji="✍️", disabled=disabled,
                             custom_id=f"quiz:t:{game_id}:{round_number}")


def vote_button(action: str, game_id: int, round_number: int, *, label: str, emoji: str,
                disabled: bool = False) -> discord.ui.Button[Any]:
    """Hint ("h") and Skip ("s"): a vote on the round."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, emoji=emoji, disabled=disabled,
                             custom_id=f"quiz:{action}:{game_id}:{round_number}")


def team_button(game_id: int, team: int, *, label: str, disabled: bool = False) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, style=discord.ButtonStyle.primary, disabled=disabled,
                             custom_id=f"quiz:j:{game_id}:{team}")


def quiz_click(interaction: discord.Interaction) -> QuizClick | None:
    """What a click on a quiz button (or a typed answer's modal) asks of the quiz cog, read from its
    custom id; None for any other interaction."""
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if not custom_id.startswith("quiz:"):
        return None
    if interaction.type is discord.InteractionType.modal_submit:
        if (m := MODAL_PATTERN.fullmatch(custom_id)) is None:
            return None
        game, number, text = int(m["game"]), int(m["round"]), submitted_text(data)
        return lambda cog: cog.typed_submitted(interaction, game, number, text)
    if interaction.type is not discord.InteractionType.component:
        return None
    if (m := ANSWER_PATTERN.fullmatch(custom_id)) is not None:
        game, number, option = int(m["game"]), int(m["round"]), int(m["option"])
        return lambda cog: cog.answer_clicked(interaction, game, number, option)
    if (m := TEAM_PATTERN.fullmatch(custom_id)) is not None:
        game, team = int(m["game"]), int(m["team"])
        return lambda cog: cog.team_clicked(interaction, game, team)
    if (m := TYPED_PATTERN.fullmatch(custom_id)) is not None:
        game, number = int(m["game"]), int(m["round"])
        return lambda cog: cog.typed_clicked(interaction, game, number)
    if (m := HINT_PATTERN.fullmatch(custom_id)) is not None:
        game, number = int(m["game"]), int(m["round"])
        return lambda cog: cog.hint_clicked(interaction, game, number)
    if (m := SKIP_PATTERN.fullmatch(custom_id)) is not None:
        game, number = int(m["game"]), int(m["round"])
        return lambda cog: cog.skip_clicked(interaction, game, number)
    return None


def teams_view(session: QuizSession, lang: str, *, closed: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for team in range(session.team_count):
        view.add_item(team_button(session.game_id, team, label=team_name(team, lang), disabled=closed))
    view.stop()  # not kept by discord.py: every click is answered by custom id (see quiz_click)
    return view


def round_view(session: QuizSession, question: Question, lang: str, *, revealed: bool = False) -> discord.ui.View:
    """The round's buttons; after the reveal all disabled (Hint and Skip gone), the right option in green.
    A stopped view: discord.py keeps no copy per round message (every click is routed by custom id)."""
    view = discord.ui.View(timeout=None)
    number = session.round_number
    if session.mode == "typed":
        view.add_item(typed_button(session.game_id, number, label=t("quiz.button.answer", lang), disabled=revealed))
        if not revealed:
            view.add_item(vote_button("h", session.game_id, number, emoji="💡", disabled=session.hints >= MAX_HINTS,
                                      label=t("quiz.button.hint", lang, used=session.hints, total=MAX_HINTS)))
    else:
        for index, option in enumerate(question.options):
            style = discord.ButtonStyle.secondary
            if revealed and index == question.correct:
                style = discord.ButtonStyle.success
            view.add_item(answer_button(session.game_id, number, index, label=name_text(option, lang),
                                        style=style, disabled=revealed))
    if not revealed:
        view.add_item(vote_button("s", session.game_id, number, label=t("quiz.button.skip", lang), emoji="⏭️"))
    view.stop()  # not kept by discord.py: every click is answered by custom id (see quiz_click)
    return view


def answer_modal(game_id: int, round_number: int, lang: str) -> discord.ui.Modal:
    """One text field. Its submission is routed to the cog by custom id (MODAL_PATTERN), so
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
