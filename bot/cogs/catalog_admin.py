"""/catalog: a server's own songs (add, remove or hide, restore, import, export)."""

from __future__ import annotations

import asyncio
import io
import logging
import math
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..access import interaction_is_manager
from ..catalog.additions import record_from_options
from ..catalog.duplicates import near_duplicates, title_candidates
from ..catalog.recordfiles import parse_records, records_to_csv
from ..catalog.records import SongRecord
from ..checks import settings_for_check
from ..errors import UserError
from ..i18n import t
from ..store.additions_repo import SongLine
from ..store.catalog_writes import ImportReport
from ..ui.admin import (
    ADD_COG,
    AddAnywayButton,
    add_anyway_view,
    import_report,
    problem_line,
    song_choice_name,
    song_line,
)
from ..ui.cards import credit_line, drama_title
from ..ui.fetch import FETCH_COG, FetchButton, FetchPick
from ..ui.text import localized_name, safe
from ._catalog_writes import server_write
from ._fetch import FetchFlow

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 5_000
PENDING_SECONDS = 15 * 60      # an interaction token lives 15 minutes; so does an "Add anyway"
MAX_PENDING = 500
SONG_VALUE = re.compile(r"^(?P<kind>song|hide):(?P<id>\d{1,18})$")


@dataclass(frozen=True, slots=True)
class PendingAddition:
    guild_id: int
    user_id: int
    record: SongRecord
    created: float


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class CatalogAdmin(commands.GroupCog, name=ADD_COG.name, group_name="catalog",
                   group_description="This server's own songs (Manage Server)"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        # "Did you mean …?" answers waiting for "Add anyway", by the token in the button's id.
        # In memory on purpose: after a restart the button answers that it expired.
        self._pending: dict[str, PendingAddition] = {}
        self.fetches = FetchFlow(bot)
        super().__init__()

    async def cog_unload(self) -> None:
        await self.fetches.close()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not interaction_is_manager(interaction, await settings_for_check(self.bot.store, interaction.guild_id)):
            raise UserError("admin.error.not_manager")
        return True

    async def _is_manager(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            return False
        return interaction_is_manager(interaction, await self.bot.store.guilds.get(interaction.guild_id))

    def _now(self) -> float:
        return self.bot.loop.time()

    async def _import(self, records: list[SongRecord], guild_id: int, user_id: int) -> ImportReport:
        """The records into this server's catalog, all or nothing (see `server_write`)."""
        with server_write(self.bot.catalog, guild_id):
            return await self.bot.store.catalog.import_records(records, guild_id=guild_id, origin="guild",
                                                           added_by=user_id)

    # -- /catalog add --------------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a song to this server's catalog")
    @app_commands.describe(
        title="The song's title", artist="Who sings it (several: separate with commas)",
        drama="The drama it is from", year="Release year", description="A line about the song (up to 300 characters)",
        tags="Styles and moods, separated by commas (e.g. piano ballad, longing)",
        ballad="Is it a ballad? (default: yes, unless the tags name another style)",
    )
    async def catalog_add(self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 100],
                          artist: app_commands.Range[str, 1, 300], drama: app_commands.Range[str, 1, 100],
                          year: app_commands.Range[int, 1950, 2100] | None = None,
                          description: app_commands.Range[str, 1, 300] | None = None,
                          tags: app_commands.Range[str, 1, 300] | None = None,
                          ballad: bool | None = None) -> None:
        lang = await self.bot.language_for(interaction)
        assert interaction.guild_id is not None
        record, problems = record_from_options(title=title, artists=artist, drama=drama, year=year,
                                               description=description, tags=tags, ballad=ballad)
        if record is None:
            details = "\n".join("• " + safe(problem_line(p, lang, with_line=False), 300) for p in problems[:10])
            raise UserError("admin.catalog.invalid", problems=details)
        if await self.bot.store.additions.addition_id_by_key(interaction.guild_id, record.slug()) is not None:
            raise UserError("admin.catalog.already_added", song=safe(record.title, 100))
        await interaction.response.defer(ephemeral=True, thinking=True)
        titles = [record.title, *([record.hangul] if record.hangul else [])]
        # Compares with every title the server sees: off the event loop (a second at 100,000 songs).
        ids = await asyncio.to_thread(title_candidates, titles,
                                      await self.bot.store.additions.visible_titles(interaction.guild_id))
        songs = await self.bot.store.catalog.songs_by_ids(ids, interaction.guild_id)
        similar = near_duplicates(titles, record.drama, record.artists, songs)
        if similar:
            self._prune_pending()
            token = secrets.token_hex(8)
            self._pending[token] = PendingAddition(interaction.guild_id, interaction.user.id, record, self._now())
            lines = [t("admin.catalog.did_you_mean_line", lang,
                       song=safe(localized_name(s.title, s.hangul, lang), 100),
                       drama=safe(drama_title(s.drama, lang), 120), artists=safe(credit_line(s, lang), 150))
                     for s in similar[:5]]
            await interaction.followup.send(
                t("admin.catalog.did_you_mean", lang, song=safe(record.title, 100), songs="\n".join(lines)),
                view=add_anyway_view(token, lang), ephemeral=True)
            return
        await self._add(interaction, record, lang)

    async def _add(self, interaction: discord.Interaction, record: SongRecord, lang: str,
                   *, edit: bool = False) -> None:
        assert interaction.guild_id is not None
        await self._import([record], interaction.guild_id, interaction.user.id)
        log.info("server %s: %s added %r", interaction.guild_id, interaction.user.id, record.slug())
        text = t("admin.catalog.added", lang, song=safe(record.title, 100), drama=safe(record.drama, 100))
        if edit:
            await interaction.response.edit_message(content=text, view=None)
        else:
            await interaction.followup.send(text, ephemeral=True)

    def _prune_pending(self) -> None:
        now = self._now()
        for token, pending in list(self._pending.items()):
            if now - pending.created > PENDING_SECONDS:
                del self._pending[token]
        while len(self._pending) >= MAX_PENDING:
            del self._pending[next(iter(self._pending))]

    async def add_confirmed(self, interaction: discord.Interaction, action: str, token: str) -> None:
        """A press on "Add anyway" or "Cancel" (see ui.admin.AddAnywayButton)."""
        lang = await self.bot.language_for(interaction)
        pending = self._pending.get(token)
        if pending is not None and pending.user_id != interaction.user.id:
            await interaction.response.send_message(t("admin.catalog.not_yours", lang), ephemeral=True)
            return
        self._pending.pop(token, None)
        if pending is None or self._now() - pending.created > PENDING_SECONDS \
                or pending.guild_id != interaction.guild_id:
            await interaction.response.edit_message(content=t("admin.catalog.expired", lang), view=None)
            return
        if action == "no":
            await interaction.response.edit_message(content=t("admin.catalog.add_cancelled", lang), view=None)
            return
        if not await self._is_manager(interaction):
            await interaction.response.edit_message(content=t("admin.error.not_manager", lang), view=None)
            return
        await self._add(interaction, pending.record, lang, edit=True)

    # -- /catalog fetch -------------------------------------------------------------------------

    @app_commands.command(name="fetch", description="Add a drama's OST from MusicBrainz (a preview first)")
    @app_commands.describe(
        query="A drama or OST album name (도깨비, Hotel del Luna OST), or a MusicBrainz release link or id",
        drama="The drama the songs are from (default: read from the release's title)",
        instrumentals="Add instrumental tracks too (default: no)")
    async def catalog_fetch(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200],
                            drama: app_commands.Range[str, 1, 100] | None = None,
                            instrumentals: bool = False) -> None:
        lang = await self.bot.language_for(interaction)
        await self.fetches.start(interaction, query, drama, instrumentals, lang)

    async def fetch_clicked(self, interaction: discord.Interaction, action: str, token: str, value: str) -> None:
        """The select or a button under a /catalog fetch preview (see ui.fetch)."""
        lang = await self.bot.language_for(interaction)
        if action != "cancel" and not await self._is_manager(interaction):
            await interaction.response.edit_message(content=t("admin.error.not_manager", lang), embed=None, view=None)
            return
        await self.fetches.clicked(interaction, action, token, value, lang)

    # -- /catalog remove, restore --------------------------------------------------------------

    @app_commands.command(name="remove", description="Remove a song this server added, or hide a shipped song here")
    @app_commands.describe(song="Start typing a title; shipped songs are hidden for this server only")
    async def catalog_remove(self, interaction: discord.Interaction, song: app_commands.Range[str, 1, 100]) -> None:
        lang = await self.bot.language_for(interaction)
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        kind, song_id = await self._resolve_song(guild_id, song)
        line = await self.bot.store.additions.song_line(song_id)
        if line is None:
            raise UserError("admin.catalog.unknown_song")
        with server_write(self.bot.catalog, guild_id):
            message = await self._remove(guild_id, kind, song_id, line, lang)
        await interaction.response.send_message(message, ephemeral=True)

    async def _remove(self, guild_id: int, kind: str, song_id: int, line: SongLine, lang: str) -> str:
        """Remove one of this server's songs, or hide a shipped one here; the reply."""
        if kind == "song" and not line.shipped:
            if not await self.bot.store.additions.remove_addition(guild_id, song_id):
                raise UserError("admin.catalog.unknown_song")
            log.info("server %s: removed song %s", guild_id, song_id)
            return t("admin.catalog.removed", lang, song=safe(song_line(line, lang), 200))
        if line.shipped:
            if not await self.bot.store.additions.hide(guild_id, song_id):
                raise UserError("admin.catalog.already_hidden", song=safe(song_line(line, lang), 200))
            return t("admin.catalog.hidden", lang, song=safe(song_line(line, lang), 200))
        raise UserError("admin.catalog.unknown_song")

    async def _resolve_song(self, guild_id: int, value: str) -> tuple[str, int]:
        """A picked choice ("song:12", "hide:7"), or a title typed in full."""
        match = SONG_VALUE.match(value.strip())
        if match:
            return match["kind"], int(match["id"])
        own = await self.bot.store.additions.additions(guild_id, value, 2, exact=True)
        if len(own) == 1:
            return "song", own[0].id
        shipped = [] if own else await self.bot.store.additions.shipped_visible(guild_id, value, 2, exact=True)
        if len(shipped) == 1:
            return "hide", shipped[0].id
        raise UserError("admin.catalog.pick_from_list")

    @catalog_remove.autocomplete("song")
    async def catalog_remove_song(self, interaction: discord.Interaction, current: str
                                  ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await self._is_manager(interaction):
            return []
        lang = await self.bot.language_for(interaction)
        query = current[:100]
        own = await self.bot.store.additions.additions(interaction.guild_id, query, 25)
        choices = [app_commands.Choice(name=song_choice_name(line, lang), value=f"song:{line.id}") for line in own]
        if len(choices) < 25:
            shipped = await self.bot.store.additions.shipped_visible(interaction.guild_id, query, 25 - len(choices))
            choices += [app_commands.Choice(name=song_choice_name(line, lang, hide=True), value=f"hide:{line.id}")
                        for line in shipped]
        return choices[:25]

    @app_commands.command(name="restore", description="Show a shipped song this server hid again")
    @app_commands.describe(song="Start typing the title of a hidden song")
    async def catalog_restore(self, interaction: discord.Interaction, song: app_commands.Range[str, 1, 100]) -> None:
        lang = await self.bot.language_for(interaction)
        assert interaction.guild_id is not None
        match = SONG_VALUE.match(song.strip())
        if match:
            song_id = int(match["id"])
        else:
            hidden = await self.bot.store.additions.hidden(interaction.guild_id, song, 2, exact=True)
            if len(hidden) != 1:
                raise UserError("admin.catalog.pick_from_list")
            song_id = hidden[0].id
        line = await self.bot.store.additions.song_line(song_id)
        with server_write(self.bot.catalog, interaction.guild_id):
            if line is None or not await self.bot.store.additions.unhide(interaction.guild_id, song_id):
                raise UserError("admin.catalog.not_hidden")
        await interaction.response.send_message(
            t("admin.catalog.restored", lang, song=safe(song_line(line, lang), 200)), ephemeral=True)

    @catalog_restore.autocomplete("song")
    async def catalog_restore_song(self, interaction: discord.Interaction, current: str
                                   ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await self._is_manager(interaction):
            return []
        lang = await self.bot.language_for(interaction)
        hidden = await self.bot.store.additions.hidden(interaction.guild_id, current[:100], 25)
        return [app_commands.Choice(name=song_choice_name(line, lang), value=f"song:{line.id}") for line in hidden]

    # -- /catalog import, export ---------------------------------------------------------------

    @app_commands.command(name="import", description="Add songs from a CSV (with a header row) or JSON file")
    @app_commands.describe(file="CSV or JSON, at most 1 MB and 5,000 songs; all or nothing")
    async def catalog_import(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        lang = await self.bot.language_for(interaction)
        assert interaction.guild_id is not None
        if file.size > MAX_IMPORT_BYTES:
            raise UserError("admin.import.too_big", size=_megabytes(file.size))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            log.warning("could not download import file %s: %s", file.id, exc)
            raise UserError("admin.import.download_failed") from exc
        if len(data) > MAX_IMPORT_BYTES:  # the size Discord announced was wrong
            raise UserError("admin.import.too_big", size=_megabytes(len(data)))
        # Up to 1 MB of CSV: parse and validate off the event loop (about a second for 5,000 rows).
        records, problems = await asyncio.to_thread(parse_records, data, file.filename, max_rows=MAX_IMPORT_ROWS)
        if problems:
            message, full = import_report(problems, lang)
            if full is None:
                await interaction.followup.send(message, ephemeral=True)
            else:
                report_file = discord.File(io.BytesIO(full.encode("utf-8")), filename="import-report.txt")
                await interaction.followup.send(message, ephemeral=True, file=report_file)
            return
        report = await self._import(records, interaction.guild_id, interaction.user.id)
        log.info("server %s: %s imported %d songs (%d new)", interaction.guild_id, interaction.user.id,
                 len(records), report.added)
        await interaction.followup.send(t("admin.import.done", lang, added=report.added, updated=report.updated),
                                        ephemeral=True)

    @app_commands.command(name="export", description="Download this server's added songs as a CSV file")
    async def catalog_export(self, interaction: discord.Interaction) -> None:
        lang = await self.bot.language_for(interaction)
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        records = await self.bot.store.catalog.export_records(interaction.guild_id)
        if not records:
            await interaction.followup.send(t("admin.export.empty", lang), ephemeral=True)
            return
        data = records_to_csv(records).encode("utf-8")
        await interaction.followup.send(
            t("admin.export.done", lang, count=len(records)), ephemeral=True,
            file=discord.File(io.BytesIO(data), filename=f"ost-additions-{interaction.guild_id}.csv"))


def _megabytes(size: int) -> str:
    """Rounded up, so a file just over the limit never reads "1.0 MB; the limit is 1 MB"."""
    return f"{math.ceil(size / 100_000) / 10:.1f}"


async def setup(bot: OstBot) -> None:
    bot.add_dynamic_items(AddAnywayButton, FetchPick, FetchButton)
    cog = CatalogAdmin(bot)
    ADD_COG.serves(cog)  # mypy: the cog answers what its buttons ask
    FETCH_COG.serves(cog)
    await bot.add_cog(cog)
