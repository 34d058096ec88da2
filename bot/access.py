"""Who may manage the bot in a server: Manage Server, or the server's bot-manager role.

Shared by /config, /catalog and the quiz's "stop" (a quiz manager may stop any quiz).
Discord hides the admin commands from members without Manage Server (default_permissions);
these checks run again at run time, so a stale client or a permission removed since cannot
get past.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from .store.guild_repo import GuildSettings


def is_manager(permissions: discord.Permissions, role_ids: Iterable[int], manager_role_id: int | None) -> bool:
    """Manage Server (Administrator implies it), or holding the manager role."""
    if permissions.manage_guild or permissions.administrator:
        return True
    return manager_role_id is not None and manager_role_id in set(role_ids)


def member_role_ids(user: discord.abc.User) -> list[int]:
    return [role.id for role in getattr(user, "roles", ())]


def interaction_is_admin(interaction: discord.Interaction) -> bool:
    """Manage Server right now, as Discord computed it for this interaction."""
    return interaction.guild_id is not None and (interaction.permissions.manage_guild
                                                 or interaction.permissions.administrator)


def interaction_is_manager(interaction: discord.Interaction, settings: GuildSettings) -> bool:
    """Manage Server, or the server's bot-manager role, for this interaction's member."""
    if interaction.guild_id is None:
        return False
    return is_manager(interaction.permissions, member_role_ids(interaction.user), settings.manager_role_id)


# What the bot needs where it posts: the channel, messages, and embeds for song cards.
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


def missing_post_permissions(permissions: discord.Permissions | None) -> list[str]:
    """The POST_PERMISSIONS the bot lacks (all of them when its permissions are unknown)."""
    if permissions is None:
        return list(POST_PERMISSIONS)
    return [name for name in POST_PERMISSIONS if not getattr(permissions, name)]


def bot_permissions_in(channel: discord.abc.GuildChannel) -> discord.Permissions | None:
    me = channel.guild.me
    return channel.permissions_for(me) if me is not None else None
