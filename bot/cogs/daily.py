"""Song of the day: a background task posting a song card in each configured server.

One asyncio task sleeps (on the event loop's clock) until the next server is due, or until
/config wakes it. Each post is claimed in the store before it is sent, so a server never gets two
on one local day, even across restarts or a crash mid-post. A deleted channel or a lost permission
is stored in daily_error (shown by /config show) and logged once; the next try is the next day.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Protocol

import discord
from discord.ext import commands

from ..access import bot_permissions_in, missing_post_permissions
from ..catalog.daily import day_rng, local_date, next_post_at, parse_timezone, pick_song
from ..components import CogRef
from ..i18n import resolve_language, t
from ..ui.cards import song_embed, song_view

if TYPE_CHECKING:
    from ..app import OstBot
    from ..store.guild_repo import GuildSettings

log = logging.getLogger(__name__)

# The task sleeps until the next post is due; this cap only re-reads the schedule now and then in
# case the wall clock moved under the loop's monotonic clock. Each wake costs a store read (and a
# SimCord settle step in tests), so not too often.
MAX_SLEEP = 6 * 3600.0
FAILED_PASS_SLEEP = 300.0   # after an unexpected error in a whole pass
RETRY_AFTER = 900.0         # after a passing fault (Discord 5xx): try again in 15 minutes


class Wakes(Protocol):
    """What /config asks of the song of the day: look at the settings again now (a server changed its
    hour, channel or time zone, or turned it off)."""

    def wake(self) -> None: ...


DAILY: CogRef[Wakes] = CogRef("Daily")


class Daily(commands.Cog, name="Daily"):
    def __init__(self, bot: OstBot) -> None:
        self.bot = bot
        self._task: asyncio.Task | None = None
        self._posting = False
        self._again = False
        # server id -> loop time before which a passing fault is not retried (in memory: a
        # restart may retry sooner, which is harmless).
        self._retry_at: dict[int, float] = {}

    async def cog_load(self) -> None:
        if self.bot.is_ready():  # reloaded while connected; otherwise on_ready starts it
            self._start()

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._task is None or self._task.done():
            self._start()

    def _start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="song-of-the-day")

    def wake(self) -> None:
        """Settings changed: look at the schedule again now.

        A plain asyncio.sleep is the one wait every clock understands (SimCord's included), so
        waking means restarting the sleeping loop; a pass in progress runs once more instead.
        """
        if self._task is None or self._task.done():
            return
        if self._posting:
            self._again = True
            return
        self._task.cancel()
        self._start()

    # -- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self.bot.is_closed():
            self._posting = True
            try:
                self._again = False
                delay = await self.run_due()
                while self._again and not self.bot.is_closed():
                    self._again = False
                    delay = await self.run_due()
            except Exception:
                if self.bot.is_closed():
                    return
                log.exception("song of the day: a pass failed; trying again in %d s", FAILED_PASS_SLEEP)
                delay = FAILED_PASS_SLEEP
            finally:
                self._posting = False
            await asyncio.sleep(max(delay, 1.0))

    async def run_due(self) -> float:
        """Post wherever a post is due; the seconds until the next one might be."""
        store = self.bot.store
        if store.closed:
            return MAX_SLEEP
        delay = MAX_SLEEP
        await store.refresh()  # settings another process changed
        for settings in await store.guilds.all_with("daily_channel_id"):
            if self.bot.is_closed():
                break
            if not self.bot.owns_guild(settings.guild_id):  # another process of the fleet posts there
                continue
            zone = parse_timezone(settings.daily_timezone)
            if settings.daily_hour is None or zone is None:
                continue
            retry_in = self._retry_at.get(settings.guild_id, 0.0) - self.bot.loop.time()
            if retry_in > 0:
                delay = min(delay, retry_in)
                continue
            now = discord.utils.utcnow()
            due = next_post_at(now, settings.daily_hour, zone, settings.daily_last_date)
            if due > now and settings.daily_last_date == local_date(now, zone).isoformat():
                # Today is claimed. By a process that died before posting? Then take it over in time.
                takeover = await store.daily.unfinished_claim(settings.guild_id, settings.daily_last_date)
                if takeover is not None:
                    due = max(takeover, now)
            wait = (due - now).total_seconds() if due > now else await self.post(settings, now, zone)
            delay = min(delay, wait)
        return delay

    # -- one post ------------------------------------------------------------------------------

    async def post(self, settings: GuildSettings, now: dt.datetime, zone: dt.tzinfo) -> float:
        """Post today's song in one server; the seconds until this server needs a look again:
        tomorrow's post once today is handled (posted, or failed for good), or a retry later."""
        store = self.bot.store
        assert settings.daily_hour is not None
        guild_id, channel_id = settings.guild_id, settings.daily_channel_id
        assert channel_id is not None
        day = local_date(now, zone)
        today = day.isoformat()
        tomorrow = (next_post_at(now, settings.daily_hour, zone, today) - now).total_seconds()
        song_id = pick_song(await store.daily.candidates(guild_id, settings.random_ballads_only),
                            await store.daily.history(guild_id), day, day_rng(guild_id, today))
        if song_id is None:  # nothing to post (every song hidden?): look again later, not every second
            return self._retry_later(guild_id)
        previous = await store.daily.claim(guild_id, today, song_id, channel_id, now,
                                           live_within=self.bot.settings.stale_after)
        if previous is None:
            return tomorrow  # already handled today (another pass, or before a restart)
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if guild is None or channel is None or not isinstance(channel, discord.abc.Messageable):
            await self._failed(settings, today, "channel_missing", "the channel is gone")
            return tomorrow
        if missing_post_permissions(bot_permissions_in(channel)):
            await self._failed(settings, today, "no_permission", "missing view/send/embed permission")
            return tomorrow
        songs = await store.catalog.songs_by_ids([song_id], guild_id)
        if not songs:  # removed since it was picked
            await store.daily.fail(guild_id, today, "send_failed", previous=previous)
            return self._retry_later(guild_id)
        song = songs[0]
        lang = resolve_language(settings.language, None, str(guild.preferred_locale))
        try:
            message = await channel.send(content=t("admin.daily.post", lang, date=today),
                                         embed=song_embed(song, lang), view=song_view(song, lang))
        except discord.NotFound:
            await self._failed(settings, today, "channel_missing", "the channel is gone")
            return tomorrow
        except discord.Forbidden:
            await self._failed(settings, today, "no_permission", "Discord refused the post")
            return tomorrow
        except discord.HTTPException as exc:
            # Discord's fault, probably passing: open the day again and retry a little later. An
            # outage is one warning; the retries after it (daily_error still set) are only noted.
            level = logging.INFO if settings.daily_error == "send_failed" else logging.WARNING
            log.log(level, "song of the day for server %s failed (%s); retrying in %d s", guild_id, exc, RETRY_AFTER)
            await store.daily.fail(guild_id, today, "send_failed", previous=previous)
            return self._retry_later(guild_id)
        self._retry_at.pop(guild_id, None)
        await store.daily.finish(guild_id, today, message.id)
        log.info("song of the day for server %s on %s: song %s", guild_id, today, song_id)
        return tomorrow

    def _retry_later(self, guild_id: int) -> float:
        self._retry_at[guild_id] = self.bot.loop.time() + RETRY_AFTER
        return RETRY_AFTER

    async def _failed(self, settings: GuildSettings, today: str, code: str, detail: str) -> None:
        """A lasting problem: skip today, remember why, and log it only when it is new."""
        if settings.daily_error != code:
            log.warning("song of the day for server %s not posted in channel %s: %s",
                        settings.guild_id, settings.daily_channel_id, detail)
        else:
            log.debug("song of the day for server %s still failing: %s", settings.guild_id, detail)
        await self.bot.store.daily.fail(settings.guild_id, today, code)


async def setup(bot: OstBot) -> None:
    cog = Daily(bot)
    DAILY.serves(cog)  # mypy: the cog answers what /config asks of it
    await bot.add_cog(cog)
