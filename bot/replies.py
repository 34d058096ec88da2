"""Private replies to an interaction, whatever state it is in."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord

log = logging.getLogger(__name__)


def data_field(interaction: discord.Interaction, name: str) -> object:
    """One field of the interaction's payload (`custom_id`, `name`, `values`), None when absent."""
    data: Mapping[str, object] = interaction.data or {}
    return data.get(name)


async def send_ephemeral(interaction: discord.Interaction, content: str | None = None, *, quiet: bool = False,
                         **kwargs: Any) -> None:
    """Reply privately whether or not the interaction was already answered; never raises.

    `quiet`: the caller already logged the trouble this reply is about, so a failure is only debug.
    """
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    try:
        if interaction.response.is_done():
            await interaction.followup.send(discord.utils.MISSING if content is None else content, ephemeral=True,
                                            **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.NotFound:
        log.log(logging.DEBUG if quiet else logging.INFO, "interaction %s expired before the reply", interaction.id)
    except discord.HTTPException as exc:
        log.log(logging.DEBUG if quiet else logging.WARNING, "could not send an ephemeral reply to interaction %s: %s",
                interaction.id, exc)

