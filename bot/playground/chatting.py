"""The playground's chat lines: `say TEXT` posts a plain message in the channel (`@bot` mentions the
bot), `dm TEXT` sends the bot a DM, `menu "Find OST" N` runs a message menu on the N-th latest message."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from . import parsing
from .parsing import ParseError

if TYPE_CHECKING:
    from .session import Playground


async def say(session: Playground, text: str) -> None:
    if not text:
        raise ParseError("usage: say TEXT (write @bot to mention the bot)")
    bot_user = session.env.bot.user
    assert bot_user is not None
    await session.current.send(session.channel, parsing.with_bot_mentions(text, bot_user.id))


async def dm(session: Playground, text: str) -> None:
    """A DM from the current member; the bot's answers there are shown at once (the playground's
    listing shows the server's channels only)."""
    if not text:
        raise ParseError("usage: dm TEXT")
    user = session.current.user
    bot_id = session.env.bot.user.id  # type: ignore[union-attr]
    before = {m.id for m in user.dm_channel.history()}
    await user.send_dm(text)
    answers = [m for m in user.dm_channel.history() if m.id not in before and m.author.id == bot_id]
    for message in answers:
        session.output.card(session._card(message, "new"))
    if not answers:
        session.output.note("(no answer in the DM)")


async def menu(session: Playground, rest: str) -> None:
    name, number = parsing.parse_menu(rest)
    history = [m for m in session.channel.history(viewer=session.current) if not m.flags.ephemeral]
    if number > len(history):
        raise ParseError(f"there are only {len(history)} messages in #{session.channel.name}.")
    target: discord.Message = history[-number]
    result = await session.current.context_menu(session.channel, name, target)
    session._after(result)
