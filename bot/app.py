"""The bot: `open_bot(settings)` opens the store, then makes the bot that owns it (`create_bot`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import pkgutil
import socket
import time
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from . import __version__
from . import cogs as cogs_package
from .catalog.limits import WriteRate
from .catalog.seedfile import load_catalog
from .catalog.service import CatalogService
from .config import Settings
from .error_handler import ServingBot
from .i18n import resolve_language
from .i18n.commands import OstTranslator
from .sharding import fleet_guilds, format_shard_ids
from .store import Store, StoreUnavailable
from .store.card_keeper import CardKeeper
from .tree import OstTree

log = logging.getLogger(__name__)

# What the bot needs in a channel: read and post, embeds for cards, files for /catalog export.
REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True,
    attach_files=True, read_message_history=True,
)


def cog_modules() -> list[str]:
    """Every module in bot/cogs not starting with an underscore, in name order."""
    return sorted(f"{cogs_package.__name__}.{m.name}" for m in pkgutil.iter_modules(cogs_package.__path__)
                  if not m.name.startswith("_"))


def bot_intents() -> discord.Intents:
    """The default (non-privileged) intents, which include guild and DM messages: the chat cog hears
    mentions, replies and DMs, whose text Discord delivers without the privileged Message Content
    intent. That one stays off, and so do members and presences."""
    intents = discord.Intents.default()
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = False
    return intents


class OstBot(commands.Bot):
    """The bot, with what its cogs share: the settings, the store (opened before the bot, closed with
    it) and the catalog service on that store (its name index, caches and shuffle bags)."""

    store: Store
    catalog: CatalogService

    def __init__(self, settings: Settings, store: Store, **client_options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands: see on_message
            intents=bot_intents(),
            tree_cls=OstTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **client_options,
        )
        self.settings = settings
        self.store = store
        self.catalog = CatalogService(store)
        self.started_at = time.time()
        self.synced_on_start = False
        self._stopping: asyncio.Future[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._card_keeper: asyncio.Task[None] | None = None
        # Woken by the store's watcher through discord.py's dispatch, a wait SimCord knows as idle.
        store.catalog_watchers.append(lambda: self.dispatch("catalog_moved"))
        self.card_keeper = CardKeeper(store, lambda: self.wait_for("catalog_moved"))
        self.offline = False  # the playground: nothing leaves the process unless a setting names a server

    # -- lifecycle ------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self._stopping = None
        # The store was opened before the bot, perhaps on another clock (SimCord's virtual one runs from
        # the bot's start): its next look at other processes' changes is timed on the bot's clock.
        await self.store.refresh(force=True)
        await self.store.listen()  # hear other processes' catalog and settings changes (PostgreSQL)
        self.store.catalog.max_server_songs = self.settings.max_server_songs
        self.catalog.write_rate = WriteRate(self.settings.catalog_writes_per_minute,
                                                     lambda: self.loop.time())  # SimCord moves the clock
        report = await self.store.catalog.seed(load_catalog(self.settings.catalog_path))
        if report.changed:
            log.info("seeded catalog: %d songs, %d dramas, %d artists", report.songs, report.dramas, report.artists)
        if self.tree.translator is None:
            await self.tree.set_translator(OstTranslator())
        # Cogs do their own start-up work (recovering interrupted quizzes...) in cog_load,
        # when the store is already open.
        for module in cog_modules():
            if module in self.extensions:
                await self.reload_extension(module)
                continue
            try:
                await self.load_extension(module)
            except Exception:
                log.exception("failed to load extension %s", module)
                raise
        # One process of a fleet syncs the commands (the owner of shard 0); `ostbot sync` forces it.
        self.synced_on_start = self.settings.shards.syncs_commands and await self.sync_commands_if_changed()

    async def close(self) -> None:
        """Stop once. A second call while stopping (a signal handler and the connection's own end can
        both ask) waits for the same stop, so the store is never closed under the first; a caller
        cancelled meanwhile does not cut the stop short."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._card_keeper is not None:
            self._card_keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._card_keeper  # its batch rolls back: the store stays open until it has
        try:
            await super().close()  # unloads the cogs: the quiz cog stops its game loops (the games stay resumable)
        finally:
            store = self.store
            if not store.closed:
                if self._heartbeat is not None:
                    await self._leave_fleet(store)
                await store.close()  # refuses later writes at once, then checkpoints the WAL

    # -- the fleet ------------------------------------------------------------------------

    def start_heartbeat(self) -> None:
        """Record now and every `heartbeat_seconds` (on the loop's clock) that this process is alive."""
        if self.settings.heartbeat_seconds and (self._heartbeat is None or self._heartbeat.done()):
            self._heartbeat = asyncio.create_task(self._beat(self.settings.heartbeat_seconds), name="heartbeat")

    async def _beat(self, seconds: float) -> None:
        while not self.is_closed():
            try:
                await self.heartbeat()
            except Exception as exc:  # a database outage: the next beat tries again
                log.warning("heartbeat not recorded: %s: %s", type(exc).__name__, exc)
            else:
                self.dispatch("fleet_beat")  # the quiz cog takes over games of processes that stopped
            await asyncio.sleep(seconds)

    async def heartbeat(self) -> None:
        shards = self.settings.shards
        await self.store.fleet.heartbeat(
            host=socket.gethostname(), pid=os.getpid(), shard_count=shards.count,
            shard_ids=format_shard_ids(shards.owned) if shards.count is not None else "",
            guilds=len(self.guilds), version=__version__,
            started_at=dt.datetime.fromtimestamp(self.started_at, dt.UTC),
            now=discord.utils.utcnow())

    async def fleet_guild_count(self) -> int:
        """Servers across every live process (this one's alone when no heartbeat is recorded)."""
        if not self.settings.heartbeat_seconds:
            return len(self.guilds)
        members = await self.store.fleet.members(discord.utils.utcnow())
        return fleet_guilds(members, stale_after=self.settings.stale_after) or len(self.guilds)

    async def _leave_fleet(self, store: Store) -> None:
        try:
            await store.fleet.forget()
        except Exception:
            log.warning("shutdown: could not remove this process from the fleet table")

    def owns_guild(self, guild_id: int | None) -> bool:
        """Work tied to a server (song of the day, quiz recovery) runs in the process owning its shard."""
        return self.settings.shards.owns(guild_id)

    # -- song cards kept ready ---------------------------------------------------------------

    @property
    def cards_built_at(self) -> int | None:
        """The catalog generation the song cards were last built for."""
        return self.card_keeper.built_at

    def start_card_keeper(self) -> None:
        """One process of a fleet (the owner of shard 0) keeps the song cards' documents current
        (`CardKeeper`)."""
        if self.settings.shards.syncs_commands and (self._card_keeper is None or self._card_keeper.done()):
            self._card_keeper = asyncio.create_task(self.card_keeper.run(), name="song-cards")

    async def on_ready(self) -> None:
        self.start_heartbeat()
        self.start_card_keeper()
        if self.user is not None:
            log.info("logged in as %s (%s); invite: %s", self.user, self.user.id, self.invite_url())

    def invite_url(self) -> str:
        app_id = self.application_id or (self.user.id if self.user else 0)
        return discord.utils.oauth_url(app_id, permissions=REQUIRED_PERMISSIONS,
                                       scopes=("bot", "applications.commands"))

    # -- command sync -----------------------------------------------------------------------

    async def command_payload(self) -> list[dict]:
        """The command tree as Discord would receive it, with localisations."""
        translator = self.tree.translator
        payload = []
        for command in sorted(self.tree.get_commands(), key=lambda c: c.name):
            if translator is not None:
                payload.append(await command.get_translated_payload(self.tree, translator))
            else:
                payload.append(command.to_dict(self.tree))
        return payload

    async def command_hash(self) -> str:
        text = json.dumps(await self.command_payload(), sort_keys=True, ensure_ascii=False, default=str)
        scope = f"guild:{self.settings.dev_guild_id}" if self.settings.dev_guild_id else "global"
        return hashlib.sha256(f"{scope}\n{text}".encode()).hexdigest()

    async def sync_commands(self, command_hash: str | None = None) -> None:
        """Push the command tree to Discord (and to the dev server when one is set); `command_hash` is the
        tree's `command_hash()` when the caller has it already (it costs tens of milliseconds)."""
        await self.tree.sync()
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        await self.store.meta.set("command_hash", command_hash or await self.command_hash())
        log.info("synced %d application commands", len(self.tree.get_commands()))

    async def sync_commands_if_changed(self) -> bool:
        current = await self.command_hash()
        if await self.store.meta.get("command_hash") == current:
            log.info("application commands unchanged since the last sync; not syncing")
            return False
        await self.sync_commands(current)
        return True

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the chat cog's listener answers the messages meant for the bot (the
        default would read every mention as an unknown command)."""

    # -- helpers for cogs -------------------------------------------------------------------

    async def language_for(self, interaction: discord.Interaction, setting: str | None = None) -> str:
        """The reader's language, the one way it is worked out: the server's language setting (read from
        the store, unless the caller has it: a quiz's session keeps it, so clicks stay cheap), else the
        member's Discord language, else the server's; English when none of them is one the bot speaks."""
        if setting is None:
            setting = await self._language_setting(interaction)
        guild_locale = interaction.guild_locale if interaction.guild_id else None
        return resolve_language(setting, str(interaction.locale), str(guild_locale) if guild_locale else None)

    async def _language_setting(self, interaction: discord.Interaction) -> str:
        setting = "auto"
        if interaction.guild_id is not None and not self.store.closed:
            try:
                setting = (await self.store.guilds.get(interaction.guild_id)).language
            except StoreUnavailable as exc:  # the database went away: the caller meets (and reports) it too
                log.info("could not read the language setting: %s", exc)
            except Exception:  # a broken store must not stop an error message from going out
                log.exception("could not read the language setting")
        return setting


if TYPE_CHECKING:
    _answers_like_the_funnel_asks: type[ServingBot] = OstBot  # mypy checks the bot serves the error funnel


class ShardedOstBot(OstBot, commands.AutoShardedBot):
    """The same bot on `discord.AutoShardedClient`, for `settings.shard_ids` of `settings.shard_count`."""


def create_bot(settings: Settings, store: Store) -> OstBot:
    """The bot for these settings (sharded when they say so), owning `store` from now on."""
    if settings.shard_count is None:
        return OstBot(settings, store)
    return ShardedOstBot(settings, store, shard_count=settings.shard_count, shard_ids=list(settings.shards.owned))


async def open_bot(settings: Settings) -> OstBot:
    """The store first, then the bot: a database that cannot be reached (PostgreSQL down, a wrong URL)
    stops the start-up before any connection to Discord is made."""
    return create_bot(settings, await Store.open(settings.database))


