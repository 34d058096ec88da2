"""Assertions on Discord's limits that SimCord does not enforce itself."""

from __future__ import annotations

import discord

EMBED_TOTAL = 6000


def assert_embed_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 0 < len(field.name) <= 256 and 0 < len(field.value) <= 1024
    assert len(embed.footer.text or "") <= 2048
    assert len(embed.author.name or "") <= 256
    assert len(embed) <= EMBED_TOTAL


def assert_message_limits(message) -> None:
    """`message`: a SimCord ResponseMessage or discord.Message."""
    assert len(message.content or "") <= 2000
    assert len(message.embeds) <= 10
    for embed in message.embeds:
        assert_embed_limits(embed)


def assert_choices(choices: list[dict]) -> None:
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert len(str(choice["value"])) <= 100
