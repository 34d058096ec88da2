"""Discord's own faults: telling them from bugs, and answering them with one log line.

discord.py retries 5xx and 429 inside its HTTP client (REST and interaction webhooks); what still
reaches the bot is an outage that outlasted those retries, or an interaction past its deadline.
"""

from __future__ import annotations

import logging
from typing import TypeGuard

import discord

from .i18n import t
from .replies import send_ephemeral
from .store import StoreUnavailable

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062    # the 3-second (or 15-minute) window closed before the reply
ALREADY_ACKNOWLEDGED = 40060   # something else answered this interaction first


def is_passing_fault(error: BaseException) -> TypeGuard[discord.HTTPException]:
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


async def answer_fault(interaction: discord.Interaction, error: BaseException, where: str, lang: str) -> bool:
    """Deal with a Discord error raised while answering `interaction`: one log line, no traceback,
    and for a passing fault a private "try again" (which may itself fail, quietly). False when
    `error` is not Discord's fault: the caller treats it as a bug."""
    level = fault_level(error)
    if level is None:
        return False
    assert isinstance(error, discord.HTTPException)
    log.log(level, "%s: the reply to interaction %s failed: %s", where, interaction.id, describe(error))
    if is_passing_fault(error):
        await send_ephemeral(interaction, t("faults.try_again", lang), quiet=True)
    return True


class CallbackFaultFilter(logging.Filter):
    """discord.py logs a full traceback for any error out of an autocomplete callback it runs for
    us (it gives the tree's error handler no say there; component callbacks go through
    `components.answer_errors`). For Discord's own faults (expired, already answered, 5xx, 429) and
    for a lost database connection (`StoreUnavailable`) that is a traceback storm in an outage: this
    filter swaps each for one line of ours. Bugs keep theirs."""

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
