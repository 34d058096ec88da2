"""The one exception for what the user is told: a refusal or a problem they can act on.

Cogs, checks, components and the glue around them raise `UserError(key, **params)`; the one error
funnel (`bot.error_handler.answer_error`) renders it from the message catalog, in the reader's
language, as a private reply, and never logs it as a bug.

It is an `app_commands.CheckFailure` so that a check (a cog's `interaction_check`, the tree's cooldown)
can raise it too: discord.py hands the tree's error handler only the `AppCommandError`s a check raises.
"""

from __future__ import annotations

from discord import app_commands


class UserError(app_commands.CheckFailure):
    """Something the user can fix, or a refusal (a cooldown, a missing right): a message key and its
    values."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
