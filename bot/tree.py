"""The command tree: the per-member cooldown check, and its error handler, which hands every error to
the one funnel (`error_handler.answer_error`). Replies, Discord's faults, component callbacks and check
failures have modules of their own (`replies`, `faults`, `components`, `checks`)."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from .checks import settings_for_check
from .cooldowns import Cooldowns
from .error_handler import answer_error
from .errors import UserError
from .faults import install_callback_fault_filter
from .replies import data_field

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
        await store.refresh()
        if interaction.type is not discord.InteractionType.application_command or interaction.guild_id is None:
            return True
        name = data_field(interaction, "name")
        if name not in COOLDOWN_COMMANDS or store.closed:
            return True
        seconds = (await settings_for_check(store, interaction.guild_id)).cooldown_seconds
        left = self.spend_cooldown(interaction, name, seconds)
        if left > 0:
            raise UserError("error.cooldown", seconds=max(1, math.ceil(left)))
        return True

    def spend_cooldown(self, interaction: discord.Interaction, name: str, seconds: int) -> float:
        """Count one use of `name` (a command, or a card button's kind) against the member who acts:
        0 when it may go ahead (the cooldown starts), else the seconds left (nothing changes)."""
        return self.cooldowns.hit((interaction.guild_id, interaction.user.id, name), seconds, self.client.loop.time())

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        await answer_error(interaction, error, f"/{command}")
