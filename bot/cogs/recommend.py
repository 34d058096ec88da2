"""/recommend like:<song or drama>: up to five similar songs, each with a one-line reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..catalog import moods
from ..catalog.recommend import Reason
from ..catalog.search import Match
from ..errors import UserError
from ..i18n import t
from ..ui import cards
from ..ui.text import localized_name, safe, tag_name
from ._lookup import QUERY_MAX, choices_for, no_match

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

KINDS = ("song", "drama")
PICKS = 5
MOOD_POOL = 15   # with a mood: the best fifteen, those of that mood first


def reason_text(reason: Reason, lang: str) -> str:
    values = reason.values
    if reason.kind == "drama":
        return t("ost.reason.drama", lang, drama=localized_name(values[0], values[1] or None, lang))
    if reason.kind == "artist":
        return t("ost.reason.artist", lang, artist=localized_name(values[0], values[1] or None, lang))
    if reason.kind == "group":
        hangul = values[1] if len(values) > 1 else ""
        return t("ost.reason.group", lang, group=hangul if lang == "ko" and hangul else values[0])
    if reason.kind == "style_mood":
        return t("ost.reason.style_mood", lang, style=tag_name(values[0], lang), mood=tag_name(values[1], lang))
    if reason.kind == "style":
        return t("ost.reason.style", lang, style=tag_name(values[0], lang))
    if reason.kind == "mood":
        return t("ost.reason.mood", lang, moods=", ".join(tag_name(v, lang) for v in values))
    if reason.kind == "description":
        if lang == "ko":  # the shared words are English ones: a Korean reader gets the reason alone
            return t("ost.reason.description_plain", lang)
        return t("ost.reason.description", lang, words=", ".join(values))
    return t("ost.reason.ballad", lang)


async def recommend_card(bot: OstBot, like: str, guild_id: int | None, lang: str, *,
                         mood: str | None = None) -> tuple[discord.Embed, discord.ui.View]:
    """/recommend's answer for a song or drama by name; the "not found" error with suggestions."""
    matches = await bot.catalog.resolve(like, guild_id, KINDS)
    if not matches:
        raise await no_match(bot, like, guild_id, KINDS, lang, key="ost.recommend.none")
    return await recommend_from(bot, matches[0], guild_id, lang, mood=mood)


async def recommend_from(bot: OstBot, best: Match, guild_id: int | None, lang: str, *,
                         mood: str | None = None) -> tuple[discord.Embed, discord.ui.View]:
    """Up to five songs like one song or a drama's songs, each with its reasons, and a select to open
    them. A mood word ("sad") puts the picks with that mood first."""
    svc = bot.catalog
    if best.kind == "song":
        song = await svc.song(best.id, guild_id)
        targets = [song] if song else []
        name = localized_name(song.title, song.hangul, lang) if song else ""
    else:
        found = await svc.drama(best.id, guild_id)
        targets = found[1] if found else []
        name = localized_name(found[0].name, found[0].hangul, lang) if found else ""
    picks = await svc.recommend(targets, guild_id, limit=PICKS if mood is None else MOOD_POOL) if targets else []
    if mood is not None:
        wanted = set(moods.tags_for(mood, {tag for _, tag, _ in await svc.tags(guild_id)}))
        picks = sorted(picks, key=lambda p: not wanted.intersection(p.song.tags))[:PICKS]
    if not picks:
        raise UserError("ost.recommend.empty")
    lines = []
    for number, pick in enumerate(picks, start=1):
        song = pick.song
        title = safe(localized_name(song.title, song.hangul, lang), 120)
        drama = safe(localized_name(song.drama.name, song.drama.hangul, lang), 120)
        why = " · ".join(reason_text(r, lang) for r in pick.reasons[:2])
        lines.append(f"**{number}. {title}** — {safe(cards.credit_line(song, lang), 150)} · {drama}\n"
                     f"↳ {safe(why, 200)}")
    embed = discord.Embed(title=safe(t("ost.recommend.title", lang, name=name), 256),
                          description="\n".join(lines)[:4096], colour=cards.COLOUR)
    options = [cards.song_option(p.song, lang) for p in picks]
    select = cards.candidates_select(options, lang)
    select.placeholder = t("ost.recommend.pick", lang)
    view = discord.ui.View(timeout=None)
    view.add_item(select)
    return embed, view


class Recommend(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot

    @app_commands.command(name="recommend", description="Songs like a K-drama OST song or drama you love")
    @app_commands.describe(like="A song or a drama (pick one or type a name)")
    async def recommend(self, interaction: discord.Interaction,
                        like: app_commands.Range[str, 1, QUERY_MAX]) -> None:
        lang = await self.bot.language_for(interaction)
        embed, view = await recommend_card(self.bot, like, interaction.guild_id, lang)
        await interaction.response.send_message(embed=embed, view=view)

    @recommend.autocomplete("like")
    async def recommend_like_autocomplete(self, interaction: discord.Interaction,
                                          current: str) -> list[app_commands.Choice[str]]:
        return await choices_for(self.bot, interaction, current, KINDS)


async def setup(bot: OstBot) -> None:
    await bot.add_cog(Recommend(bot))
