"""Korean localisations of every command, option and choice, for Discord's command picker.

Keyed by where a string sits, not by its English text, so one English word can translate
differently in two commands: `commands_ko.toml` has a table per command path
(`[commands."quiz start"]` with `name`, `description`, `example` and `options.<name>`), and a
`[choices]` table keyed by choice value. The `example` lines feed /help.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

KOREAN = discord.Locale.korean


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    text = resources.files("bot.i18n").joinpath("commands_ko.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def command_entry(qualified_name: str) -> dict[str, Any]:
    return table().get("commands", {}).get(qualified_name, {})


def example(qualified_name: str, lang: str) -> str | None:
    entry = command_entry(qualified_name)
    return entry.get("example_ko" if lang == "ko" else "example") or entry.get("example")


def lookup(location: Where, data: Any) -> str | None:
    """The Korean text for one localisable string, or None when the table has none."""
    if location in (Where.command_name, Where.group_name):
        return command_entry(data.qualified_name).get("name")
    if location in (Where.command_description, Where.group_description):
        return command_entry(data.qualified_name).get("description")
    if location in (Where.parameter_name, Where.parameter_description):
        option = command_entry(data.command.qualified_name).get("options", {}).get(data.name, {})
        return option.get("name" if location is Where.parameter_name else "description")
    if location is Where.choice_name:
        return table().get("choices", {}).get(str(data.value))
    return None


class OstTranslator(app_commands.Translator):
    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale is not KOREAN:
            return None
        return lookup(context.location, context.data)
