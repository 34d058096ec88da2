"""Small presentation helpers shared by every card and message."""

from __future__ import annotations

import discord

from ..catalog.models import Source
from ..catalog.text import clip, compact
from ..i18n import catalog, has, t


def localized_name(name: str, hangul: str | None, lang: str) -> str:
    """Korean readers see the Hangul name first: "도깨비 (Goblin)"; others "Goblin (도깨비)"."""
    if not hangul or hangul == name:
        return name
    return f"{hangul} ({name})" if lang == "ko" else name


def safe(text: str, limit: int = 1024) -> str:
    """User or catalog text made inert for Discord markdown and mentions, clipped to `limit`."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return clip(escaped, limit)


def tag_name(tag: str, lang: str) -> str:
    """A style or mood tag in the reader's language ("power ballad" -> "파워 발라드"); a tag the
    message catalog does not know (a server's own) is shown as it is."""
    key = f"tag.{tag}"
    return t(key, lang) if has(key) else tag


def tag_from_name(text: str) -> str | None:
    """The catalog tag a Korean (or English) tag name stands for: "파워 발라드" -> "power ballad"."""
    wanted = compact(text)
    for lang in ("en", "ko"):
        for key, value in catalog()[lang].items():
            if key.startswith("tag.") and compact(value) == wanted:
                return key[4:]
    return None


def source_credit(source: Source, lang: str) -> str:
    """"Title" — publisher, date; an untitled article is said to be one, with what it is about,
    never given a title in quotation marks."""
    if not source.untitled:
        return source.credit
    about = (source.about_ko if lang == "ko" else None) or source.about or ""
    return source.credit_with(t("common.untitled_source", lang, about=about))
