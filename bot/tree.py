"""The command tree: one error handler that turns errors into friendly ephemeral replies."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from .cooldowns import Cooldowns
from .errors import UserError
from .i18n import t

if TYPE_CHECKING:
    from .app import OstBot

log = logging.getLogger(__name__)


async def send_ephemeral(interaction: discord.Interaction, content: str | None = None, **kwargs) -> None:
    """Reply privately whether or not the interaction was already answered; never raises."""
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.NotFound:
        log.info("interaction %s expired before the reply", interaction.id)
    except discord.HTTPException as exc:
        log.warning("could not send an ephemeral reply to interaction %s: %s", interaction.id, exc)


class Refused(app_commands.CheckFailure):
    """A check said no; carries the message key to show (cooldowns, channel rules, roles)."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# Commands with the per-user cooldown a server sets with /config random (0 = none).
COOLDOWN_COMMANDS = frozenset({"ost", "random", "recommend"})


class OstTree(app_commands.CommandTree):
    client: OstBot

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cooldowns = Cooldowns()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The server's cooldown, per member per command, on the event loop's clock.

        Only invocations count: autocomplete (typing in an option) never does.
        """
        if interaction.type is not discord.InteractionType.application_command or interaction.guild_id is None:
            return True
        name = (interaction.data or {}).get("name")
        store = self.client.store
        if name not in COOLDOWN_COMMANDS or store is None or store.closed:
            return True
        seconds = (await store.guilds.get(interaction.guild_id)).cooldown_seconds
        left = self.cooldowns.hit((interaction.guild_id, interaction.user.id, name), seconds,
                                  self.client.loop.time())
        if left > 0:
            raise Refused("error.cooldown", seconds=max(1, math.ceil(left)))
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        lang = await self.client.language_for(interaction)
        original = getattr(error, "original", error)
        if isinstance(original, UserError | Refused):
            message = t(original.key, lang, **original.params)
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = t("error.cooldown", lang, seconds=max(1, round(error.retry_after)))
        elif isinstance(error, app_commands.NoPrivateMessage):
            message = t("error.guild_only", lang)
        elif isinstance(error, app_commands.BotMissingPermissions):
            message = t("error.bot_missing_permission", lang, permissions=", ".join(error.missing_permissions))
        elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
            message = t("error.no_permission", lang)
        elif isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # A client with an old copy of the commands (Discord syncs lazily): not a bug.
            log.info("stale command from interaction %s: %s", interaction.id, error)
            message = t("error.stale_command", lang)
        elif isinstance(error, app_commands.TransformerError):
            message = t("error.bad_input", lang, detail=discord.utils.escape_markdown(str(error.value))[:200])
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unhandled error in /%s", command, exc_info=original)
            message = t("error.unexpected", lang)
        await send_ephemeral(interaction, message)
