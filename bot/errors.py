"""Errors that carry a message for the user.

Domain and glue code raise `UserError(key, **params)`; the command tree's error handler
renders it, in the reader's language, as an ephemeral reply. No discord import here.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; rendered from the message catalog, never logged as a bug."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
