""""Find OST" (Korean "OST 찾기"), a message context menu: the songs, dramas, singers and actors a
message names, as their cards, privately for the member who asked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..catalog.search import Match
from ..errors import UserError
from ..i18n import t
from ..ui import cards
from ._lookup import card_for

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

MENU_NAME = "Find OST"
CARDS_MAX = 5            # cards shown at once; more matches go in the select menu
EMBEDS_CHARS_MAX = 6000  # Discord's limit for all the embeds of one message together


def message_text(message: discord.Message) -> str:
    """What a message says: its text and its embeds' titles and descriptions (another bot's card)."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
    return "\n".join(part for part in parts if part)


async def found_cards(bot: OstBot, matches: Sequence[Match], lang: str, guild_id: int | None
                      ) -> tuple[list[discord.Embed], discord.ui.View | None]:
    """One match: its card with its buttons. Several: up to five cards, within Discord's size for one
    message, and a select that opens any of the matches (with its buttons)."""
    if len(matches) == 1:
        embed, view = await card_for(bot, matches[0], lang, guild_id)
        return [embed], view
    embeds: list[discord.Embed] = []
    total = 0
    for match in matches[:CARDS_MAX]:
        try:
            embed, _ = await card_for(bot, match, lang, guild_id)
        except UserError:  # hidden or removed since the look-up
            continue
        if total + len(embed) > EMBEDS_CHARS_MAX:
            break
        embeds.append(embed)
        total += len(embed)
    labels = await bot.catalog.labels(matches[:25], guild_id)
    view = discord.ui.View(timeout=None)
    select = cards.candidates_select([(f"{label.kind}:{label.id}", cards.label_text(label, lang), None)
                                      for label in labels], lang)
    select.placeholder = t("chat.find.pick", lang)
    view.add_item(select)
    return embeds, view


class FindOst(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.find_ost)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def find_ost(self, interaction: discord.Interaction, message: discord.Message) -> None:
        lang = await self.bot.language_for(interaction)
        guild_id = interaction.guild_id
        matches = await self.bot.catalog.names_in(message_text(message), guild_id)
        if not matches:
            raise UserError("chat.find.none")
        embeds, view = await found_cards(self.bot, matches, lang, guild_id)
        if not embeds:
            raise UserError("chat.find.none")
        content = t("chat.find.title", lang, count=len(matches)) if len(matches) > 1 else None
        await interaction.response.send_message(content=content, embeds=embeds, view=view or discord.utils.MISSING,
                                                ephemeral=True)


async def setup(bot: OstBot) -> None:
    await bot.add_cog(FindOst(bot))
