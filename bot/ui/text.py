"""Small presentation helpers shared by every card and message."""

from __future__ import annotations

import discord

from ..catalog.text import clip


def localized_name(name: str, hangul: str | None, lang: str) -> str:
    """Korean readers see the Hangul name first: "도깨비 (Goblin)"; others "Goblin (도깨비)"."""
    if not hangul or hangul == name:
        return name
    return f"{hangul} ({name})" if lang == "ko" else name


def safe(text: str, limit: int = 1024) -> str:
    """User or catalog text made inert for Discord markdown and mentions, clipped to `limit`."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return clip(escaped, limit)
