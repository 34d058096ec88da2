"""/random [drama] [artist] [mood] [ballads_only]: a random pick that does not repeat in a channel
until the filtered pool is used up, with a "🎲 Another" button that keeps the filters."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..catalog.search import Match
from ..catalog.service import CatalogService, RandomFilters
from ..catalog.text import clip
from ..components import answer_errors, spend_cooldown
from ..errors import UserError
from ..i18n import t
from ..ui import cards
from ..ui.text import localized_name, safe, tag_from_name, tag_name
from ._lookup import QUERY_MAX, choices_for, no_match

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

OPTIONS_SHOWN = 15


def another_button(filters: RandomFilters, lang: str) -> discord.ui.Button | None:
    custom_id = cards.random_custom_id(filters.drama_id, filters.artist_id, filters.ballads_only, filters.mood)
    if custom_id is None:
        return None
    return discord.ui.Button(style=discord.ButtonStyle.primary, label=t("ost.card.another", lang), emoji="🎲",
                             custom_id=custom_id)


async def pick_reply(bot: OstBot, channel_id: int | None, guild_id: int | None, filters: RandomFilters,
                     lang: str) -> tuple[discord.Embed, discord.ui.View]:
    """Draw the next song for this channel; explain which filter emptied the pool if none."""
    svc = bot.catalog
    song = await svc.draw(channel_id or 0, guild_id, filters)
    if song is None:
        raise await explain_empty(svc, guild_id, filters, lang)
    button = another_button(filters, lang)
    return cards.song_embed(song, lang), cards.song_view(song, lang, extra=[button] if button else ())


def _every(names: list[str]) -> str:
    """Every name, none left out (a list of moods fits a message easily)."""
    return clip(", ".join(safe(n, 60) for n in names), 1800) or "—"


def _listing(names: list[str]) -> str:
    shown = ", ".join(safe(n, 60) for n in names[:OPTIONS_SHOWN])
    return clip(shown + (", …" if len(names) > OPTIONS_SHOWN else ""), 900) or "—"


async def explain_empty(svc: CatalogService, guild_id: int | None, filters: RandomFilters, lang: str) -> UserError:
    """Apply the filters one at a time (drama, artist, mood, ballads) and name the one that left
    nothing, with what the pool before it had to offer."""
    steps = [
        RandomFilters(None, None, None, False),
        RandomFilters(filters.drama_id, None, None, False),
        RandomFilters(filters.drama_id, filters.artist_id, None, False),
        RandomFilters(filters.drama_id, filters.artist_id, filters.mood, False),
        filters,
    ]
    previous: Sequence[int] = []
    for number, step in enumerate(steps):
        pool = await svc.pool(guild_id, step)
        if pool:
            previous = pool
            continue
        if number == 0:
            return UserError("ost.random.empty_catalog")
        if number == 1:
            label = next(iter(await svc.labels([Match("drama", filters.drama_id or 0, 0)], guild_id)), None)
            name = localized_name(label.name, label.hangul, lang) if label else "?"
            return UserError("ost.random.empty_drama", drama=safe(name, 100))
        songs = await svc.store.catalog.songs_by_ids(previous[:200], guild_id)
        if number == 2:
            label = next(iter(await svc.labels([Match("artist", filters.artist_id or 0, 0)], guild_id)), None)
            name = localized_name(label.name, label.hangul, lang) if label else "?"
            singers = list(dict.fromkeys(localized_name(c.name, c.hangul, lang) for s in songs for c in s.credits))
            return UserError("ost.random.empty_artist", artist=safe(name, 100), options=_listing(singers))
        if number == 3:
            moods = list(dict.fromkeys(tag_name(tag, lang) for s in songs for tag in (*s.moods, *s.styles)))
            return UserError("ost.random.empty_mood", mood=safe(tag_name(filters.mood or "", lang), 60),
                             options=_listing(moods))
        return UserError("ost.random.empty_ballads", count=len(previous))
    return UserError("ost.random.empty_catalog")


class AnotherPick(discord.ui.DynamicItem[discord.ui.Button], template=cards.RANDOM_TEMPLATE):
    """"🎲 Another": a new pick with the same filters, posted in the channel."""

    def __init__(self, filters: RandomFilters) -> None:
        custom_id = cards.random_custom_id(filters.drama_id, filters.artist_id, filters.ballads_only, filters.mood)
        super().__init__(discord.ui.Button(custom_id=custom_id or "ost:rnd:::1:"))
        self.filters = filters

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item,
                             match: re.Match[str]) -> AnotherPick:
        return cls(RandomFilters(drama_id=int(match["drama"]) if match["drama"] else None,
                                 artist_id=int(match["artist"]) if match["artist"] else None,
                                 mood=match["mood"] or None, ballads_only=match["ballads"] == "1"))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await spend_cooldown(interaction, "random")  # another /random, whoever clicks it
            bot: OstBot = interaction.client  # type: ignore[assignment]
            lang = await bot.language_for(interaction)
            embed, view = await pick_reply(bot, interaction.channel_id, interaction.guild_id, self.filters, lang)
            await interaction.response.send_message(embed=embed, view=view)

        await answer_errors(interaction, work)


async def _resolve(bot: OstBot, text: str | None, kind: str, guild_id: int | None, lang: str) -> int | None:
    if text is None:
        return None
    matches = await bot.catalog.resolve(text, guild_id, (kind,))
    if not matches:
        raise await no_match(bot, text, guild_id, (kind,), lang, key=f"ost.random.no_{kind}")
    return matches[0].id


async def random_filters(bot: OstBot, guild_id: int | None, lang: str, *, drama: str | None = None,
                         artist: str | None = None, mood: str | None = None,
                         ballads_only: bool | None = None) -> RandomFilters:
    """/random's options as filters: names resolved (an error naming the one that matched nothing),
    a mood by its tag or a common word, ballads only by the server's setting unless given."""
    svc = bot.catalog
    drama_id = await _resolve(bot, drama, "drama", guild_id, lang)
    artist_id = await _resolve(bot, artist, "artist", guild_id, lang)
    tag = None
    if mood is not None:
        # A tag by its Korean name ("파워 발라드"), an English tag, or a common word ("sad", 슬픈).
        tag = await svc.find_tag(tag_from_name(mood) or mood, guild_id)
        if tag is None:
            moods = [tag_name(name, lang) for kind, name, _ in await svc.tags(guild_id) if kind == "mood"]
            raise UserError("ost.random.no_mood", query=safe(" ".join(mood.split()), 60), moods=_every(moods))
    if ballads_only is None:
        ballads_only = (await bot.store.guilds.get(guild_id)).random_ballads_only
    return RandomFilters(drama_id, artist_id, tag, ballads_only)


class RandomPick(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot

    @app_commands.command(name="random", description="Get a random K-drama OST pick")
    @app_commands.describe(
        drama="Only songs from this drama (pick one or type a name)",
        artist="Only songs by this singer or group (pick one or type a name)",
        mood="Only songs with this mood or style tag",
        ballads_only="Only ballads (default: the server setting, normally on)",
    )
    async def random_pick(self, interaction: discord.Interaction,
                          drama: app_commands.Range[str, 1, QUERY_MAX] | None = None,
                          artist: app_commands.Range[str, 1, QUERY_MAX] | None = None,
                          mood: app_commands.Range[str, 1, QUERY_MAX] | None = None,
                          ballads_only: bool | None = None) -> None:
        lang = await self.bot.language_for(interaction)
        filters = await random_filters(self.bot, interaction.guild_id, lang, drama=drama, artist=artist, mood=mood,
                                       ballads_only=ballads_only)
        embed, view = await pick_reply(self.bot, interaction.channel_id, interaction.guild_id, filters, lang)
        await interaction.response.send_message(embed=embed, view=view)

    @random_pick.autocomplete("drama")
    async def random_drama_autocomplete(self, interaction: discord.Interaction,
                                        current: str) -> list[app_commands.Choice[str]]:
        return await choices_for(self.bot, interaction, current, ("drama",))

    @random_pick.autocomplete("artist")
    async def random_artist_autocomplete(self, interaction: discord.Interaction,
                                         current: str) -> list[app_commands.Choice[str]]:
        return await choices_for(self.bot, interaction, current, ("artist",))

    @random_pick.autocomplete("mood")
    async def random_mood_autocomplete(self, interaction: discord.Interaction,
                                       current: str) -> list[app_commands.Choice[str]]:
        lang = await self.bot.language_for(interaction)
        from ..catalog.text import compact

        wanted = compact(current[:QUERY_MAX])
        tags = await self.bot.catalog.tags(interaction.guild_id)
        found = [(name, count) for _, name, count in tags
                 if wanted in compact(name) or wanted in compact(tag_name(name, lang))]
        return [app_commands.Choice(name=clip(f"{tag_name(name, lang)} · {cards.song_count(count, lang)}", 100),
                                    value=name[:100]) for name, count in found[:25]]


async def setup(bot: OstBot) -> None:
    bot.add_dynamic_items(AnotherPick)
    await bot.add_cog(RandomPick(bot))
