"""Buttons and select menus: their callbacks answered the way the tree answers a command, and a
persistent component's click handed to the cog that owns its state."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar, cast

import discord

from .error_handler import ServingBot, answer_error
from .errors import UserError
from .replies import data_field

log = logging.getLogger(__name__)

C = TypeVar("C")


async def answer_errors(interaction: discord.Interaction, work: Callable[[], Awaitable[object]]) -> None:
    """Run a component callback (button, select, modal) the way the tree runs a command: caches another
    process made stale dropped first, and any error answered by the one funnel (`answer_error`)."""
    try:
        await cast(ServingBot, interaction.client).store.refresh()
        await work()
    except Exception as error:
        await answer_error(interaction, error, f"button {data_field(interaction, 'custom_id')}")


class CooldownKeeper(Protocol):
    """What `spend_cooldown` asks of the command tree (`bot.tree.OstTree`), which keeps the cooldowns."""

    def spend_cooldown(self, interaction: discord.Interaction, name: str, seconds: int) -> float: ...


async def spend_cooldown(interaction: discord.Interaction, name: str) -> None:
    """A button or menu that posts a card counts against the server's cooldown (/config random) of the
    member who clicks it, whoever posted the card: `name` is the use it counts as ("random" for
    🎲 Another, like the command it repeats). A member who must wait gets the command's private
    "slow down" (a UserError, so `answer_errors` sends it) and nothing is posted."""
    store = cast(ServingBot, interaction.client).store
    tree: CooldownKeeper | None = getattr(interaction.client, "tree", None)
    if interaction.guild_id is None or store.closed or tree is None:
        return
    seconds = (await store.guilds.get(interaction.guild_id)).cooldown_seconds
    left = tree.spend_cooldown(interaction, name, seconds)
    if left > 0:
        raise UserError("error.cooldown", seconds=max(1, math.ceil(left)))


class CogRef(Generic[C]):
    """A cog found by its name, typed by what its components may ask of it (a Protocol declared in
    `bot.ui`): `hand_over` gives the cog to a call that mypy checks against that Protocol, and the
    cog's setup calls `serves(cog)`, so mypy checks the cog satisfies it (and the name is checked once,
    when the cog loads)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def serves(self, cog: C) -> None:
        if getattr(cog, "qualified_name", None) != self.name:
            raise TypeError(f"{type(cog).__name__} is not the cog named {self.name!r}")

    def find(self, client: discord.Client) -> C | None:
        get_cog = getattr(client, "get_cog", None)  # a commands.Bot; a bare Client has no cogs
        return cast("C | None", get_cog(self.name) if get_cog is not None else None)


async def hand_over(interaction: discord.Interaction, cog: CogRef[C], call: Callable[[C], Awaitable[object]]) -> None:
    """A persistent component's click, handed to the cog that owns its state (through
    `answer_errors`); the cog being unloaded (shutting down) is a friendly message, not silence."""
    async def work() -> None:
        found = cog.find(interaction.client)
        if found is None:
            raise UserError("error.unexpected")
        await call(found)

    await answer_errors(interaction, work)
