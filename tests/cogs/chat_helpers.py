"""Talking to the bot through SimCord: a mention, a reply, a DM, and what the bot answered."""

from __future__ import annotations

from simcord.backend.models.message import AllowedMentions


def at(env, text: str) -> str:
    """`text` with a mention of the bot in front, as Discord's client writes it."""
    return f"<@{env.bot.user.id}> {text}"


def bot_messages(env, channel) -> list:
    return [m for m in channel.history() if m.author.id == env.bot.user.id]


async def say(env, member, channel, text: str, *, reply_to=None):
    """The member posts `text`; returns the bot's new message in the channel, or None."""
    before = len(bot_messages(env, channel))
    await member.send(channel, text, reply_to=reply_to)
    after = bot_messages(env, channel)
    assert len(after) <= before + 1, "more than one answer to one message"
    return after[-1] if len(after) > before else None


async def dm(env, user, text: str):
    """The user DMs the bot; returns the bot's answer there, or None."""
    channel = user.dm_channel
    before = len(bot_messages(env, channel))
    await user.send_dm(text)
    after = bot_messages(env, channel)
    return after[-1] if len(after) > before else None


async def reply_without_ping(env, member, channel, message, text: str) -> None:
    """A reply with its ping turned off (the client's "@ off"), which SimCord's actors cannot send."""
    env.backend.create_message(channel.id, member.id, text, allowed_mentions=AllowedMentions(replied_user=False),
                               reference={"channel_id": str(channel.id), "message_id": str(message.id)})
    await env.settle()


def custom_ids(message) -> list[str]:
    """The custom ids of a message's buttons and menus, from discord.py's message or SimCord's result."""
    ids = []
    for row in message.components:
        children = row.get("components", []) if isinstance(row, dict) else row.children
        for child in children:
            custom_id = child.get("custom_id") if isinstance(child, dict) else getattr(child, "custom_id", None)
            if custom_id:
                ids.append(custom_id)
    return ids


def stored(env, message):
    """The backend's record of a message (its allowed mentions, its reference)."""
    return env.backend.messages[message.channel.id][message.id]


def assert_quiet_reply(env, answer, to) -> None:
    """A reply to `to` that pings nobody, not even its author."""
    record = stored(env, answer)
    assert answer.reference is not None and answer.reference.message_id == to.id
    assert not record.allowed_mentions.replied_user
    assert record.allowed_mentions.users == frozenset() and record.allowed_mentions.roles == frozenset()
    assert not record.allowed_mentions.everyone
