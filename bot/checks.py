"""How command checks read the server's settings (a check's refusal is a `bot.errors.UserError`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from .store import StoreUnavailable

if TYPE_CHECKING:
    from .store import Store
    from .store.guild_repo import GuildSettings


class StoreCheckFailure(app_commands.CheckFailure):
    """A check could not read the store (the database went away). discord.py hands only
    `AppCommandError`s raised by checks to the error handler, so the `StoreUnavailable` travels
    inside this one, as `original`, and is answered like a command's own: "try again"."""

    def __init__(self, original: StoreUnavailable) -> None:
        super().__init__(str(original))
        self.original = original


async def settings_for_check(store: Store, guild_id: int) -> GuildSettings:
    """The server's settings, for a check (cooldown, manager role)."""
    try:
        return await store.guilds.get(guild_id)
    except StoreUnavailable as error:
        raise StoreCheckFailure(error) from error
