"""Helpers shared by the admin tests (/config, /catalog, song of the day)."""

from __future__ import annotations

import discord


async def allow_command(env, guild, name: str, *targets) -> None:
    """What a server does in Integrations: let `targets` (roles, members) use a hidden command."""
    commands = await env.bot.tree.fetch_commands()
    command = next(c for c in commands if c.name == name)
    guild.set_command_permissions(command.id, dict.fromkeys(targets, True))


def set_role_permissions(env, guild, role, permissions: discord.Permissions) -> None:
    """Change a role's permissions as a server admin would (Discord announces the update)."""
    env.backend.edit_role(guild.id, role.id, {"permissions": permissions.value})


def text_of(message) -> str:
    """Content plus every embed's visible text, for language and content checks."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
        parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)
