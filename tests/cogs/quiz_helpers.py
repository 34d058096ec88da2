"""Helpers shared by the quiz tests (/quiz, and the quiz parts of the reliability tests)."""

from __future__ import annotations


def quiz_cog(env):
    return env.bot.get_cog("Quiz")


def session_of(env, channel):
    """The quiz session running in `channel`, or None."""
    return quiz_cog(env).sessions.for_channel(channel.id)


def button_ids(message) -> list[str]:
    """Every button's custom_id on `message`, row by row."""
    return [child.custom_id for row in message.components for child in row.children]


def message_by_id(channel, message_id: int):
    return next(m for m in channel.history() if m.id == message_id)


async def rows(store, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in await store.fetch(sql, params)]
