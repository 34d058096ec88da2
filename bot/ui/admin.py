"""Presentation for server admins: the settings embed, catalog problem reports, confirmations.

The buttons are `DynamicItem`s on stable custom_id templates (state in the custom_id or in the
cog), so a press after a restart still gets a sensible answer; their callbacks hand over to the cog
that holds the logic, through what the Protocols below say they may ask of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import discord

from ..catalog.text import clip
from ..catalog.validation import RecordProblem
from ..components import CogRef, hand_over
from ..i18n import has, t
from .text import localized_name, safe

if TYPE_CHECKING:
    from ..store.additions_repo import SongLine
    from ..store.guild_repo import GuildSettings

COLOUR = discord.Colour(0x5865F2)
REPORT_LINES = 15          # bad rows shown in the reply; the rest go to an attached file
REPORT_FILE_LINES = 2000   # problems listed in that file (a 5,000-row file can have tens of thousands)
CHOICE_NAME_MAX = 100

ADD_TEMPLATE = r"admin:add:(?P<action>yes|no):(?P<token>[0-9a-f]{8,32})"
RESET_TEMPLATE = r"admin:reset:(?P<action>yes|no):(?P<user>\d{1,20})"


# -- settings --------------------------------------------------------------------------------

def _channel(guild: discord.Guild, channel_id: int | None, lang: str) -> str:
    if channel_id is None:
        return t("admin.show.anywhere", lang)
    if guild.get_channel(channel_id) is None:
        return t("admin.show.deleted_channel", lang)
    return f"<#{channel_id}>"


def settings_embed(settings: GuildSettings, guild: discord.Guild, lang: str,
                   next_post: dt.datetime | None) -> discord.Embed:
    """Every setting of this server and its value, in one embed."""
    embed = discord.Embed(title=safe(t("admin.show.title", lang, server=guild.name), 256), colour=COLOUR)
    yes, no = t("admin.yes", lang), t("admin.no", lang)
    embed.add_field(name=t("admin.show.language", lang),
                    value=t(f"admin.language.{settings.language}", lang), inline=False)
    embed.add_field(name=t("admin.show.quiz", lang), value="\n".join((
        t("admin.show.quiz_rounds", lang, rounds=settings.quiz_rounds),
        t("admin.show.quiz_seconds", lang, seconds=settings.quiz_seconds),
        t("admin.show.quiz_mode", lang, mode=t(f"admin.mode.{settings.quiz_mode}", lang)),
        t("admin.show.quiz_channel", lang, channel=_channel(guild, settings.quiz_channel_id, lang)),
    )), inline=False)
    cooldown = (t("admin.show.cooldown_none", lang) if settings.cooldown_seconds == 0
                else t("admin.show.cooldown_seconds", lang, seconds=settings.cooldown_seconds))
    embed.add_field(name=t("admin.show.random", lang), value="\n".join((
        t("admin.show.ballads_only", lang, value=yes if settings.random_ballads_only else no),
        t("admin.show.cooldown", lang, value=cooldown),
        t("chat.show", lang, value=yes if settings.chat_enabled else no),
    )), inline=False)
    if settings.manager_role_id is None:
        role = t("common.none", lang)
    elif guild.get_role(settings.manager_role_id) is None:
        role = t("admin.show.deleted_role", lang)
    else:
        role = f"<@&{settings.manager_role_id}>"
    embed.add_field(name=t("admin.show.manager_role", lang), value=role, inline=False)
    if settings.daily_channel_id is None or settings.daily_hour is None:
        daily = t("admin.show.daily_off", lang)
    else:
        lines = [t("admin.show.daily_on", lang, channel=_channel(guild, settings.daily_channel_id, lang),
                   hour=f"{settings.daily_hour:02d}:00", timezone=safe(settings.daily_timezone, 64))]
        if next_post is not None:
            stamp = int(next_post.timestamp())
            lines.append(t("admin.show.daily_next", lang, when=f"<t:{stamp}:F> (<t:{stamp}:R>)"))
        if settings.daily_last_date:
            lines.append(t("admin.show.daily_last", lang, date=settings.daily_last_date))
        if settings.daily_error:
            lines.append(t("admin.show.daily_error", lang, error=daily_error_text(settings.daily_error, lang)))
        daily = "\n".join(lines)
    embed.add_field(name=t("admin.show.daily", lang), value=clip(daily, 1024), inline=False)
    return embed


def daily_error_text(code: str, lang: str) -> str:
    """daily_error holds a code ("channel_missing", "no_permission", "send_failed")."""
    key = f"admin.daily.error.{code}"
    return t(key, lang) if code in ("channel_missing", "no_permission", "send_failed") else safe(code, 200)


# -- songs as one line -------------------------------------------------------------------------

def song_line(line: SongLine, lang: str) -> str:
    return clip(f"{localized_name(line.title, line.hangul, lang)} — "
                f"{localized_name(line.drama, line.drama_hangul, lang)}", 90)


def song_choice_name(line: SongLine, lang: str, *, hide: bool = False) -> str:
    """An autocomplete choice name (at most 100 characters)."""
    label = song_line(line, lang)
    if hide:
        label = t("admin.catalog.choice_hide", lang, song=label)
    return clip(label, CHOICE_NAME_MAX)


# -- catalog problems ---------------------------------------------------------------------------

def _shown(text: str) -> str:
    """File text quoted in a report: invisible and control characters written as \\uXXXX."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def problem_message(problem: RecordProblem, lang: str) -> str:
    """What is wrong, in the reader's language, from the problem's message key and params."""
    params = {k: _shown(v) if isinstance(v, str) else v for k, v in problem.params.items()}
    message = t(problem.key, lang, **params)
    if problem.item is not None:
        message = t("admin.problem.with_item", lang, item=_shown(problem.item), message=message)
    return message


def field_name(name: str, lang: str) -> str:
    key = f"admin.field.{name}"
    return t(key, lang) if has(key) else _shown(name)


def problem_line(problem: RecordProblem, lang: str, *, with_line: bool = True) -> str:
    message = problem_message(problem, lang)
    field = field_name(problem.field, lang)
    if with_line:
        key = "admin.problem.song" if problem.unit == "song" else "admin.problem.line"
        return t(key, lang, line=problem.line, field=field, message=message)
    return t("admin.problem.field", lang, field=field, message=message)


def import_report(problems: Sequence[RecordProblem], lang: str) -> tuple[str, str | None]:
    """(message within Discord's 2000 characters, full report text or None when it all fit)."""
    lines = [problem_line(p, lang) for p in problems]
    head = t("admin.import.rejected", lang, count=len(problems))
    shown = []
    size = len(head) + 200
    for line in lines[:REPORT_LINES]:
        line = "• " + discord.utils.escape_mentions(discord.utils.escape_markdown(clip(line, 180)))
        if size + len(line) + 1 > 1800:
            break
        shown.append(line)
        size += len(line) + 1
    body = "\n".join([head, *shown])
    if len(shown) < len(lines):
        body += "\n" + t("admin.import.more_in_file", lang, count=len(lines) - len(shown))
        listed = lines[:REPORT_FILE_LINES]
        if len(lines) > len(listed):
            listed.append(t("admin.import.more_not_listed", lang, count=len(lines) - len(listed)))
        return body, "\n".join(listed) + "\n"
    return body, None


# -- confirmation buttons -------------------------------------------------------------------------

class AddConfirmations(Protocol):
    """What "Add anyway" / "Cancel" ask of the catalog admin cog (which `ADD_COG.serves`)."""

    async def add_confirmed(self, interaction: discord.Interaction, action: str, token: str) -> None: ...


class ResetConfirmations(Protocol):
    """What "Reset" / "Cancel" ask of the config cog (which `RESET_COG.serves`)."""

    async def reset_confirmed(self, interaction: discord.Interaction, action: str, user_id: int) -> None: ...


ADD_COG: CogRef[AddConfirmations] = CogRef("CatalogAdmin")
RESET_COG: CogRef[ResetConfirmations] = CogRef("ConfigCog")


class AddAnywayButton(discord.ui.DynamicItem[discord.ui.Button], template=ADD_TEMPLATE):
    """"Add anyway" / "Cancel" under a "did you mean …?" reply; the pending song is in the cog."""

    def __init__(self, action: str, token: str, label: str = "…") -> None:
        style = discord.ButtonStyle.primary if action == "yes" else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"admin:add:{action}:{token}"))
        self.action = action
        self.token = token

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> AddAnywayButton:
        return cls(match["action"], match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_over(interaction, ADD_COG, lambda cog: cog.add_confirmed(interaction, self.action, self.token))


class ResetScoresButton(discord.ui.DynamicItem[discord.ui.Button], template=RESET_TEMPLATE):
    """"Reset" / "Cancel" for /config reset-scores; the invoker's id is in the custom_id and the
    60-second window is measured between the prompt's and the press's snowflakes (Discord's
    clock), so it holds across restarts without any state."""

    def __init__(self, action: str, user_id: int, label: str = "…") -> None:
        style = discord.ButtonStyle.danger if action == "yes" else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label, style=style,
                                           custom_id=f"admin:reset:{action}:{user_id}"))
        self.action = action
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ResetScoresButton:
        return cls(match["action"], int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_over(interaction, RESET_COG, lambda cog: cog.reset_confirmed(interaction, self.action, self.user_id))


def add_anyway_view(token: str, lang: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AddAnywayButton("yes", token, t("admin.catalog.add_anyway", lang)))
    view.add_item(AddAnywayButton("no", token, t("admin.cancel", lang)))
    return view


def reset_view(user_id: int, lang: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ResetScoresButton("yes", user_id, t("admin.reset.confirm", lang)))
    view.add_item(ResetScoresButton("no", user_id, t("admin.cancel", lang)))
    return view
