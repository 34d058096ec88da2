"""Small helpers every test module may use: the text a reader sees, and moments in UTC."""

from __future__ import annotations

import datetime as dt

import discord


def text_of(shown: discord.Message | discord.Embed) -> str:
    """Everything a reader sees of a message (its content and every embed) or of one embed: title,
    description, each field's name and value, footer; for language and content checks."""
    if isinstance(shown, discord.Embed):
        parts = [shown.title or "", shown.description or ""]
        parts += [f"{f.name}\n{f.value}" for f in shown.fields]
        parts.append(shown.footer.text or "" if shown.footer else "")
        return "\n".join(parts)
    return "\n".join([shown.content or "", *(text_of(embed) for embed in shown.embeds)])


def utc(*args: int) -> dt.datetime:
    """`utc(2026, 1, 3, 8)`: a timezone-aware moment in UTC."""
    return dt.datetime(*args, tzinfo=dt.UTC)
