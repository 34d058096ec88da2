"""/catalog fetch's flow: words or a link -> a private preview -> a pick -> Add -> the report.

The previews wait here, by the token in their components' custom_ids, for PREVIEW_SECONDS (under the
15 minutes an interaction token lives, so the expired preview can still be edited to say so). In
memory on purpose: nothing is written before Add, and after a restart a click answers that the
preview expired. Every MusicBrainz call is made after the interaction was deferred.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord

from .. import fetching
from ..config import MUSICBRAINZ_URL
from ..errors import UserError
from ..i18n import t
from ..musicbrainz.client import MusicBrainzClient
from ..musicbrainz.models import Release, ReleaseSummary
from ..ui.fetch import ALL_PARTS, preview_embed, preview_view, report_embed
from ._catalog_writes import server_write

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

PREVIEW_SECONDS = 14 * 60
MAX_PREVIEWS = 200


@dataclass(slots=True)
class Preview:
    guild_id: int
    user_id: int
    query: str
    found: tuple[ReleaseSummary, ...]
    chosen: Release | None                 # None: every OST part of `drama`
    drama: str
    drama_option: str | None
    instrumentals: bool
    lang: str
    interaction: discord.Interaction       # the command's: its reply is the preview
    expiry: asyncio.Task[None] | None = field(default=None)

    @property
    def chosen_id(self) -> str:
        return self.chosen.mbid if self.chosen is not None else ALL_PARTS


class FetchFlow:
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self.client = MusicBrainzClient.from_settings(bot.settings)
        self._previews: dict[str, Preview] = {}

    async def close(self) -> None:
        for preview in self._previews.values():
            if preview.expiry is not None:
                preview.expiry.cancel()
        self._previews.clear()
        await self.client.close()

    def offline(self) -> bool:
        """The playground runs offline: MusicBrainz itself cannot be reached (a mirror set in
        OST_MUSICBRAINZ_URL can)."""
        return self.bot.offline and self.bot.settings.musicbrainz_url.rstrip("/") == MUSICBRAINZ_URL

    async def start(self, interaction: discord.Interaction, query: str, drama: str | None, instrumentals: bool,
                    lang: str) -> None:
        assert interaction.guild_id is not None
        if self.offline():
            raise UserError("fetch.offline")
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await fetching.find(self.client, query)
        drama_name = drama or found.chosen.drama
        preview = Preview(interaction.guild_id, interaction.user.id, query, found.releases, found.chosen,
                          drama_name, drama, instrumentals, lang, interaction)
        self._prune()
        token = secrets.token_hex(8)
        self._previews[token] = preview
        await interaction.edit_original_response(embed=self._embed(preview), view=self._view(token, preview))
        preview.expiry = asyncio.create_task(self._expire(token), name=f"fetch preview {token}")

    def _embed(self, p: Preview) -> discord.Embed:
        return preview_embed(p.query, p.found, p.chosen, p.drama, p.lang, fetching.MAX_PARTS)

    def _view(self, token: str, p: Preview, *, disabled: bool = False) -> discord.ui.View:
        return preview_view(token, p.found, p.chosen_id, p.drama, p.lang, disabled=disabled)

    async def _expire(self, token: str) -> None:
        await asyncio.sleep(PREVIEW_SECONDS)
        preview = self._previews.pop(token, None)
        if preview is None:
            return
        try:
            await preview.interaction.edit_original_response(
                content=t("fetch.expired", preview.lang), embed=self._embed(preview),
                view=self._view(token, preview, disabled=True))
        except discord.HTTPException as error:  # deleted, or Discord away: the click still says it expired
            log.info("fetch preview %s expired; its message could not be edited: %s", token, error)

    def _prune(self) -> None:
        while len(self._previews) >= MAX_PREVIEWS:
            oldest = self._previews.pop(next(iter(self._previews)))
            if oldest.expiry is not None:
                oldest.expiry.cancel()

    async def clicked(self, interaction: discord.Interaction, action: str, token: str, value: str,
                      lang: str) -> None:
        """The select or a button of a preview."""
        preview = self._previews.get(token)
        if preview is not None and preview.user_id != interaction.user.id:
            await interaction.response.send_message(t("fetch.not_yours", lang), ephemeral=True)
            return
        if preview is None or preview.guild_id != interaction.guild_id:
            await interaction.response.edit_message(content=t("fetch.expired", lang), embed=None, view=None)
            return
        if action == "cancel":
            self._drop(token)
            await interaction.response.edit_message(content=t("fetch.cancelled", lang), embed=None, view=None)
        elif action == "pick":
            await self._pick(interaction, token, preview, value)
        else:
            await self._add(interaction, token, preview)

    def _drop(self, token: str) -> Preview | None:
        preview = self._previews.pop(token, None)
        if preview is not None and preview.expiry is not None:
            preview.expiry.cancel()
        return preview

    async def _pick(self, interaction: discord.Interaction, token: str, preview: Preview, value: str) -> None:
        await interaction.response.defer()
        if value == ALL_PARTS:
            preview.chosen = None
        elif value != preview.chosen_id:
            if value not in {r.mbid for r in preview.found}:
                raise UserError("fetch.expired")
            preview.chosen = await fetching.read_release(self.client, value)
            preview.drama = preview.drama_option or preview.chosen.drama
        await interaction.edit_original_response(embed=self._embed(preview), view=self._view(token, preview))

    async def _add(self, interaction: discord.Interaction, token: str, preview: Preview) -> None:
        self._drop(token)     # one Add only, whatever happens next
        await interaction.response.defer()
        try:
            if preview.chosen is None:
                await interaction.edit_original_response(
                    content=t("fetch.working", preview.lang, drama=preview.drama), view=None)
                releases = await fetching.read_parts(self.client, preview.drama)
            else:
                releases = [preview.chosen]
            plan = fetching.plan(releases, drama=preview.drama_option, instrumentals=preview.instrumentals)
            with server_write(self.bot.catalog, preview.guild_id):
                result = await fetching.add(self.bot.store, plan, guild_id=preview.guild_id,
                                            added_by=interaction.user.id)
        except UserError as error:   # MusicBrainz failed or the plan was refused: nothing was written
            await interaction.edit_original_response(content=t(error.key, preview.lang, **error.params), embed=None,
                                                     view=None)
            return
        await interaction.edit_original_response(content=None, embed=report_embed(result, releases, preview.lang),
                                                 view=None)
