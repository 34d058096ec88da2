"""The quiz's pictures in this process: the picture cache (drawn in a thread, kept by server, view and
data), the names seen on interactions (the pictures draw display names, and the bot has no members
intent), and the file an embed shows as its image. A picture that cannot be drawn leaves the reply
with its text alone."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from ...pictures import PictureCache
from ...pictures.models import Picture
from ...pictures.names import NameBook
from ...ui import pictures as pictures_ui

if TYPE_CHECKING:
    from ...app import OstBot

log = logging.getLogger(__name__)


class Pictures:
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.cache = PictureCache()
        self.seen = NameBook()

    def names(self, guild: discord.Guild | None) -> pictures_ui.Names:
        return pictures_ui.Names(guild, self.bot, self.seen)

    def note(self, interaction: discord.Interaction) -> None:
        pictures_ui.note(self.seen, interaction)

    async def png(self, guild_id: int, data: Picture | None) -> bytes | None:
        """The picture of `data` (drawn in a thread, or from the cache); None when there is nothing to
        draw or the drawing failed: the reply then goes out with its text alone."""
        if data is None:
            return None
        try:
            return await self.cache.picture(guild_id, data)
        except Exception:
            log.exception("quiz: the %s picture of server %s could not be drawn", type(data).__name__, guild_id)
            return None

    async def attached(self, guild_id: int, embed: discord.Embed, data: Picture | None) -> discord.File:
        """A reply's `file`: the picture shown in `embed`, or MISSING (the text goes alone)."""
        png = await self.png(guild_id, data)
        if data is None or png is None:
            return discord.utils.MISSING
        return pictures_ui.attachment(embed, data, png)
