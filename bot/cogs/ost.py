"""/ost query: look up a song, a drama or a singer; the card buttons (More from, pager, candidates)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..catalog.search import Match
from ..components import answer_errors, spend_cooldown
from ..errors import UserError
from ..replies import data_field
from ..ui import cards
from ._lookup import LOOKUP_KINDS, QUERY_MAX, card_for, choices_for, lookup_card

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

# "More from …" and the card menus (under /ost, /random, /recommend and the song of the day) count
# against the clicking member's cooldown under one name of their own: a member may open one card from a
# menu right after their /ost, then waits like for the command. The pager only turns a card's page.
CARD_COOLDOWN = "card"


class MoreFromDrama(discord.ui.DynamicItem[discord.ui.Button], template=cards.MORE_TEMPLATE):
    """"More from <drama>" under a song card: the drama card, privately, for whoever pressed."""

    def __init__(self, drama_id: int) -> None:
        super().__init__(discord.ui.Button(custom_id=f"ost:more:{drama_id}"))
        self.drama_id = drama_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item,
                             match: re.Match[str]) -> MoreFromDrama:
        return cls(int(match["drama"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await spend_cooldown(interaction, CARD_COOLDOWN)
            bot: OstBot = interaction.client  # type: ignore[assignment]
            lang = await bot.language_for(interaction)
            embed, view = await card_for(bot, Match("drama", self.drama_id, 0), lang, interaction.guild_id)
            await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING, ephemeral=True)

        await answer_errors(interaction, work)


class DramaPage(discord.ui.DynamicItem[discord.ui.Button], template=cards.DRAMA_TEMPLATE):
    """Previous/Next on a drama card: the same message, another page."""

    def __init__(self, drama_id: int, page: int) -> None:
        super().__init__(discord.ui.Button(custom_id=cards.drama_custom_id(drama_id, page)))
        self.drama_id = drama_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item,
                             match: re.Match[str]) -> DramaPage:
        return cls(int(match["drama"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            bot: OstBot = interaction.client  # type: ignore[assignment]
            lang = await bot.language_for(interaction)
            embed, view = await card_for(bot, Match("drama", self.drama_id, 0), lang, interaction.guild_id,
                                         page=self.page)
            await interaction.response.edit_message(embed=embed, view=view)

        await answer_errors(interaction, work)


class PickCandidate(discord.ui.DynamicItem[discord.ui.Select], template=cards.PICK_TEMPLATE):
    """The "other matches" select: the chosen entry's card, privately."""

    def __init__(self, custom_id: str = "ost:pick") -> None:
        super().__init__(discord.ui.Select(custom_id=custom_id, options=[discord.SelectOption(label="-")]))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item,
                             match: re.Match[str]) -> PickCandidate:
        return cls(match[0])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await spend_cooldown(interaction, CARD_COOLDOWN)
            bot: OstBot = interaction.client  # type: ignore[assignment]
            lang = await bot.language_for(interaction)
            values = data_field(interaction, "values")
            first = values[0] if isinstance(values, list) and values else ""
            matches = await bot.catalog.resolve(str(first), interaction.guild_id)
            if not matches or matches[0].tier != 0:
                raise UserError("ost.gone")
            embed, view = await card_for(bot, matches[0], lang, interaction.guild_id)
            await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING, ephemeral=True)

        await answer_errors(interaction, work)


# -- the command ---------------------------------------------------------------------------

class Ost(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # The name index is built in the background once the bot is up, so start-up does not wait
        # for it; until it is ready, look-ups use the store's SQL tiers (everything but typos).
        self.bot.catalog.start_index()

    @app_commands.command(name="ost", description="Look up a K-drama OST song, a drama or a singer")
    @app_commands.describe(query="A song title, drama or singer: any of their names, in English or Hangul")
    async def ost(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, QUERY_MAX]) -> None:
        lang = await self.bot.language_for(interaction)
        embed, view = await lookup_card(self.bot, query, interaction.guild_id, lang)
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING)

    @ost.autocomplete("query")
    async def ost_query_autocomplete(self, interaction: discord.Interaction,
                                     current: str) -> list[app_commands.Choice[str]]:
        return await choices_for(self.bot, interaction, current, LOOKUP_KINDS)


async def setup(bot: OstBot) -> None:
    bot.add_dynamic_items(MoreFromDrama, DramaPage, PickCandidate)
    await bot.add_cog(Ost(bot))
