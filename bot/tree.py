"""The command tree: one error handler that turns errors into friendly ephemeral replies."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from .cooldowns import Cooldowns
from .errors import UserError
from .i18n import t
from .store import StoreUnavailable

if TYPE_CHECKING:
    from .app import OstBot
    from .store import Store
    from .store.guild_repo import GuildSettings

log = logging.getLogger(__name__)


async def send_ephemeral(interaction: discord.Interaction, content: str | None = None, *, quiet: bool = False,
                         **kwargs) -> None:
    """Reply privately whether or not the interaction was already answered; never raises.

    `quiet`: the caller already logged the trouble this reply is about, so a failure is only debug.
    """
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.NotFound:
        log.log(logging.DEBUG if quiet else logging.INFO, "interaction %s expired before the reply", interaction.id)
    except discord.HTTPException as exc:
        log.log(logging.DEBUG if quiet else logging.WARNING, "could not send an ephemeral reply to interaction %s: %s",
                interaction.id, exc)


# -- Discord's own faults ------------------------------------------------------------------------
# discord.py retries 5xx and 429 inside its HTTP client (REST and interaction webhooks); what still
# reaches the bot is an outage that outlasted those retries, or an interaction past its deadline.

UNKNOWN_INTERACTION = 10062    # the 3-second (or 15-minute) window closed before the reply
ALREADY_ACKNOWLEDGED = 40060   # something else answered this interaction first


def is_passing_fault(error: BaseException) -> bool:
    """Discord's own trouble (a 5xx or a 429): the same call may well work a moment later."""
    return (isinstance(error, discord.HTTPException) and not isinstance(error, discord.Forbidden | discord.NotFound)
            and (error.status >= 500 or error.status == 429))


def fault_level(error: BaseException) -> int | None:
    """The log level for a Discord fault met while answering an interaction; None when it is
    not one (then it is a bug, worth its traceback)."""
    if not isinstance(error, discord.HTTPException):
        return None
    if error.code == UNKNOWN_INTERACTION:
        return logging.INFO  # routine: a slow client, a busy loop, a click on a stale message
    if error.code == ALREADY_ACKNOWLEDGED or is_passing_fault(error):
        return logging.WARNING
    return None


def describe(error: discord.HTTPException) -> str:
    return f"{error.status} {error.text or 'no message'}"[:200] + (f" (code {error.code})" if error.code else "")


async def _language(interaction: discord.Interaction) -> str:
    """The reader's language, as the bot chooses it (English from a client without that choice)."""
    language_for = getattr(interaction.client, "language_for", None)
    return await language_for(interaction) if language_for is not None else "en"


async def answer_fault(interaction: discord.Interaction, error: BaseException, where: str,
                       lang: str | None = None) -> bool:
    """Deal with a Discord error raised while answering `interaction`: one log line, no traceback,
    and for a passing fault a private "try again" (which may itself fail, quietly). False when
    `error` is not Discord's fault: the caller treats it as a bug."""
    level = fault_level(error)
    if level is None:
        return False
    assert isinstance(error, discord.HTTPException)
    log.log(level, "%s: the reply to interaction %s failed: %s", where, interaction.id, describe(error))
    if is_passing_fault(error):
        await send_ephemeral(interaction, t("faults.try_again", lang or await _language(interaction)), quiet=True)
    return True


async def answer_errors(interaction: discord.Interaction, work: Callable[[], Awaitable[object]]) -> None:
    """Run a component callback (button, select) the way the tree runs a command: a UserError
    becomes the usual private message, and a Discord fault on the reply (5xx, 429, expired) one
    log line and, when passing, a private "try again". Anything else is a bug and propagates."""
    try:
        store = getattr(interaction.client, "store", None)
        if store is not None:
            await store.refresh()
        await work()
    except UserError as error:
        await send_ephemeral(interaction, t(error.key, await _language(interaction), **error.params))
    except StoreUnavailable as error:
        log.warning("button %s: %s", (interaction.data or {}).get("custom_id"), error)
        await send_ephemeral(interaction, t("faults.try_again", await _language(interaction)), quiet=True)
    except discord.HTTPException as error:
        if not await answer_fault(interaction, error, f"button {(interaction.data or {}).get('custom_id')}"):
            raise


async def hand_over(interaction: discord.Interaction, cog_name: str, method: str, *args: object) -> None:
    """A persistent component's click, handed to the cog that owns its state (through
    `answer_errors`); the cog being unloaded (shutting down) is a friendly message, not silence."""
    async def work() -> None:
        get_cog = getattr(interaction.client, "get_cog", None)
        cog = get_cog(cog_name) if get_cog is not None else None
        if cog is None:
            raise UserError("error.unexpected")
        await getattr(cog, method)(interaction, *args)

    await answer_errors(interaction, work)


class CallbackFaultFilter(logging.Filter):
    """discord.py logs a full traceback for any error out of an autocomplete callback it runs for
    us (it gives the tree's error handler no say there; component callbacks go through
    `answer_errors`). For Discord's own faults (expired, already answered, 5xx, 429) and for a lost
    database connection (`StoreUnavailable`) that is a traceback storm in an outage: this filter
    swaps each for one line of ours. Bugs keep theirs."""

    PREFIXES = ("Ignoring exception in autocomplete",)

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).startswith(self.PREFIXES):
            return True
        error = record.exc_info[1]
        subject = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        if isinstance(error, StoreUnavailable):
            log.warning("autocomplete for /%s: %s", subject, error)
            return False
        level = fault_level(error) if error is not None else None
        if level is None:
            return True
        assert isinstance(error, discord.HTTPException)
        log.log(level, "autocomplete for /%s: the reply failed: %s", subject, describe(error))
        return False


CALLBACK_FAULT_FILTER = CallbackFaultFilter()


def install_callback_fault_filter() -> None:
    logger = logging.getLogger("discord.app_commands.tree")
    if CALLBACK_FAULT_FILTER not in logger.filters:
        logger.addFilter(CALLBACK_FAULT_FILTER)


class Refused(app_commands.CheckFailure):
    """A check said no; carries the message key to show (cooldowns, channel rules, roles)."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


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


# Commands with the per-user cooldown a server sets with /config random (0 = none).
COOLDOWN_COMMANDS = frozenset({"ost", "random", "recommend"})


class OstTree(app_commands.CommandTree):
    client: OstBot

    def __init__(self, *args, **kwargs) -> None:
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
        name = (interaction.data or {}).get("name")
        if name not in COOLDOWN_COMMANDS or store is None or store.closed:
            return True
        seconds = (await settings_for_check(store, interaction.guild_id)).cooldown_seconds
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
