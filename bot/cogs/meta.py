"""/help and /about."""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from .. import __version__
from ..catalog.text import clip
from ..i18n import format_duration, t
from ..i18n.commands import command_entry, example
from ..sharding import shard_of
from ..ui.text import source_credit

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)


def is_admin_command(command: app_commands.Command) -> bool:
    root = command.root_parent or command
    perms = root.default_permissions
    return perms is not None and perms.manage_guild


def help_lines(tree: app_commands.CommandTree, lang: str, *, admin: bool) -> tuple[list[str], list[str]]:
    """(member lines, admin lines): one line per command with an example, in `lang`."""
    members: list[str] = []
    admins: list[str] = []
    for command in sorted(tree.walk_commands(), key=lambda c: c.qualified_name):
        if not isinstance(command, app_commands.Command):
            continue
        name = command.qualified_name
        description = (command_entry(name).get("description") if lang == "ko" else None) or command.description
        line = t("help.line", lang, example=example(name, lang) or f"/{name}", description=description)
        (admins if is_admin_command(command) else members).append(line)
    return members, (admins if admin else [])


def help_embed(tree: app_commands.CommandTree, lang: str, *, admin: bool, intro: str | None = None) -> discord.Embed:
    """/help's card: every command with an example; `intro` replaces the opening line."""
    members, admins = help_lines(tree, lang, admin=admin)
    parts = [intro or t("help.intro", lang), "", f"**{t('help.member', lang)}**", *members]
    if admins:
        parts += ["", f"**{t('help.admin', lang)}**", *admins]
    return discord.Embed(title=t("help.title", lang), description=clip("\n".join(parts), 4096),
                         colour=discord.Colour.blurple())


class Meta(commands.Cog):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="Every command of the bot, with an example of each")
    async def help_command(self, interaction: discord.Interaction) -> None:
        lang = await self.bot.language_for(interaction)
        admin = bool(interaction.guild_id and interaction.permissions.manage_guild)
        embed = help_embed(self.bot.tree, lang, admin=admin)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about", description="Catalog size, sources, version, uptime and invite link")
    async def about_command(self, interaction: discord.Interaction) -> None:
        lang = await self.bot.language_for(interaction)
        store = self.bot.store
        counts = await store.catalog.counts(interaction.guild_id)
        sources = await store.catalog.sources()
        latency = self.bot.latency
        embed = discord.Embed(title=t("about.title", lang), colour=discord.Colour.blurple())
        embed.add_field(name=t("about.catalog", lang), inline=False, value=t(
            "about.catalog_value", lang, songs=counts.songs, dramas=counts.dramas, artists=counts.artists,
            guild_songs=counts.guild_songs))
        embed.add_field(name=t("about.sources", lang), inline=False,
                        value=clip("\n".join(f"• {source_credit(s, lang)}" for s in sources) or "—", 1024))
        embed.add_field(name=t("about.version", lang), value=__version__)
        if self.bot.shard_count is not None and interaction.guild_id is not None:
            embed.add_field(name=t("about.shard", lang), value=t(
                "about.shard_value", lang, shard=shard_of(interaction.guild_id, self.bot.shard_count),
                count=self.bot.shard_count))
        embed.add_field(name=t("about.servers", lang),
                        value=t("about.servers_value", lang, guilds=await self.bot.fleet_guild_count()))
        embed.add_field(name=t("about.uptime", lang), value=format_duration(time.time() - self.bot.started_at, lang))
        embed.add_field(name=t("about.latency", lang), value=(
            t("about.latency_value", lang, ms=round(latency * 1000)) if math.isfinite(latency)
            else t("about.latency_unknown", lang)))
        embed.add_field(name=t("about.invite", lang), inline=False,
                        value=t("about.invite_value", lang, url=self.bot.invite_url()))
        await interaction.response.send_message(embed=embed)


async def setup(bot: OstBot) -> None:
    await bot.add_cog(Meta(bot))
