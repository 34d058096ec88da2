"""The command tree: the per-member cooldown check and one error handler that turns errors into
friendly ephemeral replies. Replies, Discord's faults, component callbacks and check failures have
modules of their own (`replies`, `faults`, `components`, `checks`)."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from .checks import Refused, settings_for_check
from .cooldowns import Cooldowns
from .errors import UserError
from .faults import answer_fault, install_callback_fault_filter
from .i18n import t
from .replies import data_field, send_ephemeral
from .store import StoreUnavailable

if TYPE_CHECKING:
    from .app import OstBot

log = logging.getLogger(__name__)


# Commands with the per-user cooldown a server sets with /config random (0 = none). The buttons and
# menus that post a card count too, each under a name of its own (`bot.components.spend_cooldown`).
COOLDOWN_COMMANDS = frozenset({"ost", "random", "recommend"})


class OstTree(app_commands.CommandTree):
    client: OstBot

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cooldowns = Cooldowns()
        install_callback_fault_filter()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The server's cooldown, per member per command, on the event loop's clock.

        Only invocations count: autocomplete (typing in an option) never does. Before anything, caches
        that another process's writes made stale are dropped (a cheap look, see `Store.refresh`).
        """
        store = self.client.store
        if store is not None:
            await store.refresh()
        if interaction.type is not discord.InteractionType.application_command or interaction.guild_id is None:
            return True
        name = data_field(interaction, "name")
        if name not in COOLDOWN_COMMANDS or store is None or store.closed:
            return True
        seconds = (await settings_for_check(store, interaction.guild_id)).cooldown_seconds
        left = self.spend_cooldown(interaction, name, seconds)
        if left > 0:
            raise Refused("error.cooldown", seconds=max(1, math.ceil(left)))
        return True

    def spend_cooldown(self, interaction: discord.Interaction, name: str, seconds: int) -> float:
        """Count one use of `name` (a command, or a card button's kind) against the member who acts:
        0 when it may go ahead (the cooldown starts), else the seconds left (nothing changes)."""
        return self.cooldowns.hit((interaction.guild_id, interaction.user.id, name), seconds, self.client.loop.time())

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        lang = await self.client.language_for(interaction)
        original = getattr(error, "original", error)
        if isinstance(original, UserError | Refused):
            message = t(original.key, lang, **original.params)
        elif isinstance(original, StoreUnavailable):
            # The database server went away for a moment (a restart, a dropped connection): the pool
            # reconnects by itself, so the member can simply try again.
            log.warning("/%s: %s", interaction.command.qualified_name if interaction.command else "?", original)
            message = t("faults.try_again", lang)
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
            if self.client.is_closed():
                # A graceful shutdown closed the store under a command still running: expected, and no
                # reply can go out any more.
                log.warning("/%s abandoned: the bot is shutting down (%s: %s)", command,
                            type(original).__name__, original)
                return
            if await answer_fault(interaction, original, f"/{command}", lang):
                return
            log.error("unhandled error in /%s", command, exc_info=original)
            message = t("error.unexpected", lang)
        await send_ephemeral(interaction, message)
