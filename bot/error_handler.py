"""One funnel from an exception to its reply, for slash commands (the tree's `on_error`), components
(`components.answer_errors`) and the quiz's custom-id router.

`answer_error(interaction, error, where)` answers privately, in the reader's language, in this order:

1. `UserError` (a refusal the member can act on; checks raise it too): its message, nothing logged.
2. `StoreUnavailable` (also inside a check's `StoreCheckFailure`): the database went away for a
   moment and the pool reconnects by itself: "try again", one warning.
3. What the command tree itself refuses: a server-only command in DMs, missing permissions, a stale
   command from a client with an old copy of the commands, an option that could not be read.
4. The bot is shutting down (it closed the store under the work): one warning, no reply.
5. Discord's own fault on the reply (expired, answered twice, 5xx, 429): one log line, and for a
   passing one "try again" (`faults.answer_fault`).
6. Anything else is a bug: its traceback, and "something went wrong on my side".
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

import discord
from discord import app_commands

from .checks import StoreCheckFailure
from .errors import UserError
from .faults import answer_fault
from .i18n import t
from .replies import send_ephemeral
from .store import Store, StoreUnavailable

log = logging.getLogger(__name__)


class ServingBot(Protocol):
    """What the funnel and the components ask of the bot that answers (`bot.app.OstBot` serves it)."""

    store: Store

    async def language_for(self, interaction: discord.Interaction, setting: str | None = None) -> str: ...

    def is_closed(self) -> bool: ...


def unwrapped(error: BaseException) -> BaseException:
    """The error a command or a check raised, out of discord.py's wrapper (CommandInvokeError) or ours
    (StoreCheckFailure)."""
    if isinstance(error, app_commands.CommandInvokeError | StoreCheckFailure):
        return error.original
    return error


async def answer_error(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Answer `error`, met while answering `interaction` (`where`: "/quiz start", "button quiz:a:…"),
    as the module's docstring says."""
    bot = cast(ServingBot, interaction.client)
    original = unwrapped(error)
    lang = await bot.language_for(interaction)
    if isinstance(original, UserError):
        return await send_ephemeral(interaction, t(original.key, lang, **original.params))
    if isinstance(original, StoreUnavailable):
        log.warning("%s: %s", where, original)
        return await send_ephemeral(interaction, t("faults.try_again", lang), quiet=True)
    if isinstance(error, app_commands.AppCommandError) and (refusal := tree_refusal(interaction, error)):
        key, params = refusal
        return await send_ephemeral(interaction, t(key, lang, **params))
    if bot.is_closed():
        # A graceful shutdown closed the store under the work: expected, and no reply can go out any more.
        log.warning("%s abandoned: the bot is shutting down (%s: %s)", where, type(original).__name__, original)
        return
    if await answer_fault(interaction, original, where, lang):
        return
    log.error("unhandled error in %s", where, exc_info=original)
    await send_ephemeral(interaction, t("error.unexpected", lang))


def tree_refusal(interaction: discord.Interaction, error: app_commands.AppCommandError
                 ) -> tuple[str, dict[str, object]] | None:
    """The message for what the command tree itself refuses, or None when `error` is not one of those."""
    if isinstance(error, app_commands.NoPrivateMessage):
        return "error.guild_only", {}
    if isinstance(error, app_commands.BotMissingPermissions):
        return "error.bot_missing_permission", {"permissions": ", ".join(error.missing_permissions)}
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return "error.no_permission", {}
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        # A client with an old copy of the commands (Discord syncs lazily): not a bug.
        log.info("stale command from interaction %s: %s", interaction.id, error)
        return "error.stale_command", {}
    if isinstance(error, app_commands.TransformerError):
        return "error.bad_input", {"detail": discord.utils.escape_markdown(str(error.value))[:200]}
    return None
