"""The bot factory: `create_bot(settings)` returns the configured commands.Bot subclass."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
import time

import discord
from discord.ext import commands

from . import cogs as cogs_package
from .catalog.seedfile import load_catalog
from .config import Settings
from .i18n import resolve_language
from .i18n.commands import OstTranslator
from .store import Store, StoreUnavailable
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


class OstBot(commands.Bot):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # slash commands only; no message content needed
            intents=discord.Intents.default(),
            tree_cls=OstTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.store: Store | None = None
        self.started_at = time.time()
        self.synced_on_start = False
        self._stopping: asyncio.Future[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self._stopping = None  # started again after a close (tests restart the same bot)
        if self.store is None or self.store.closed:
            self.store = await Store.open(self.settings.database)
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
        self.synced_on_start = await self.sync_commands_if_changed()

    async def close(self) -> None:
        """Stop once. A second call while stopping (a signal handler and the connection's own end can
        both ask) waits for the same stop, so the store is never closed under the first; a caller
        cancelled meanwhile does not cut the stop short."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        try:
            await super().close()  # unloads the cogs: the quiz cog ends its games (and edits their messages)
        finally:
            if self.store is not None and not self.store.closed:
                await self._interrupt_games_left_running()
                await self.store.close()  # refuses later writes at once, then checkpoints the WAL

    async def _interrupt_games_left_running(self) -> None:
        """A quiz started while the cogs unloaded (its /quiz start was mid-way) is not left 'running'."""
        try:
            if games := await self.store.quiz.interrupt_running(discord.utils.utcnow()):
                log.info("shutdown: marked %d more quizzes interrupted", len(games))
        except Exception:  # the next start marks them anyway
            log.exception("shutdown: could not mark running quizzes interrupted")

    async def on_ready(self) -> None:
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

    async def sync_commands(self) -> None:
        """Push the command tree to Discord (and to the dev server when one is set)."""
        assert self.store is not None
        await self.tree.sync()
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        await self.store.meta.set("command_hash", await self.command_hash())
        log.info("synced %d application commands", len(self.tree.get_commands()))

    async def sync_commands_if_changed(self) -> bool:
        assert self.store is not None
        if await self.store.meta.get("command_hash") == await self.command_hash():
            log.info("application commands unchanged since the last sync; not syncing")
            return False
        await self.sync_commands()
        return True

    # -- helpers for cogs -------------------------------------------------------------------

    async def language_for(self, interaction: discord.Interaction) -> str:
        setting = "auto"
        if interaction.guild_id is not None and self.store is not None and not self.store.closed:
            try:
                setting = (await self.store.guilds.get(interaction.guild_id)).language
            except StoreUnavailable as exc:  # the database went away: the caller meets (and reports) it too
                log.info("could not read the language setting: %s", exc)
            except Exception:  # a broken store must not stop an error message from going out
                log.exception("could not read the language setting")
        guild_locale = interaction.guild_locale if interaction.guild_id else None
        return resolve_language(setting, str(interaction.locale), str(guild_locale) if guild_locale else None)


def create_bot(settings: Settings) -> OstBot:
    return OstBot(settings)


