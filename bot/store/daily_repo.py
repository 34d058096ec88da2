"""The song of the day: which songs a server may get, the posts made, and the day's claim.

The server's handled date and last error are its settings (`GuildRepo`); the posts are this
repository's (`daily_posts`). A claim writes both in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .times import parse_stamp, stamp
from .visibility import VISIBLE_SONG

if TYPE_CHECKING:
    from .connection import Store


class DailyRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def candidates(self, guild_id: int, ballads_only: bool) -> list[int]:
        """Songs this server sees, ballads only when asked (all of them if it has no ballad)."""
        params = {"guild": guild_id}
        if ballads_only:
            rows = await self._store.fetch(
                f"SELECT s.id FROM songs s WHERE s.is_ballad = 1 AND {VISIBLE_SONG} ORDER BY s.id", params)
            if rows:
                return [r[0] for r in rows]
        rows = await self._store.fetch(f"SELECT s.id FROM songs s WHERE {VISIBLE_SONG} ORDER BY s.id", params)
        return [r[0] for r in rows]

    async def history(self, guild_id: int) -> dict[int, str]:
        """song id -> the last local date it was the song of the day here."""
        rows = await self._store.fetch(
            "SELECT song_id, max(posted_on) FROM daily_posts WHERE guild_id = ? AND song_id IS NOT NULL "
            "GROUP BY song_id", (guild_id,))
        return {r[0]: r[1] for r in rows}

    async def posts(self, guild_id: int) -> list[tuple[str, int | None, int, int | None]]:
        """(date, song id, channel id, message id) of every post here, oldest first."""
        rows = await self._store.fetch(
            "SELECT posted_on, song_id, channel_id, message_id FROM daily_posts WHERE guild_id = ? "
            "ORDER BY posted_on", (guild_id,))
        return [tuple(r) for r in rows]

    async def last_post(self, guild_id: int) -> str | None:
        last: str | None = await self._store.fetchval("SELECT max(posted_on) FROM daily_posts WHERE guild_id = ?",
                                                      (guild_id,))
        return last

    # A claim not posted this long after it was made, by a process with no recent heartbeat, died with
    # its process: another may take it over. A live claimer (heartbeat within `live_within` seconds,
    # the bot's Settings.stale_after) keeps it.
    TAKEOVER_AFTER = dt.timedelta(minutes=10)
    LIVE_WITHIN = 90.0  # seconds, when the caller does not say (three missed heartbeats of 30 s)

    async def claim(self, guild_id: int, day: str, song_id: int, channel_id: int,
                    now: dt.datetime | None = None, *, live_within: float = LIVE_WITHIN) -> str | None:
        """Reserve `day` for this server before posting: the previous handled date, or None when
        `day` was already handled (posted, failed for good, or claimed by a live process).

        At most one post a day: when two processes claim it at once, the database decides (the
        conditional UPDATE of the second waits for the first, then changes nothing). A claim whose
        process died before posting is not lost: after TAKEOVER_AFTER it is taken over (see
        `unfinished_claim`), and the day is posted then."""
        now = now or dt.datetime.now(dt.UTC)
        async with self._store.transaction() as tx:
            row = await tx.fetchrow("SELECT daily_last_date FROM guild_settings WHERE guild_id = ?", (guild_id,))
            if row is None:
                return None
            if row[0] is not None and row[0] >= day:
                taken = await tx.execute(
                    "UPDATE daily_posts SET claimed_by = :me, claimed_at = :now, song_id = :song, "
                    "channel_id = :channel WHERE guild_id = :guild AND posted_on = :day AND message_id IS NULL "
                    "AND claimed_at <= :stale AND claimed_by <> :me AND claimed_by NOT IN "
                    "(SELECT id FROM processes WHERE heartbeat_at >= :alive)",
                    {"me": self._store.token, "now": stamp(now), "song": song_id, "channel": channel_id,
                     "guild": guild_id, "day": day, "stale": stamp(now - self.TAKEOVER_AFTER),
                     "alive": stamp(now - dt.timedelta(seconds=live_within))})
                return "" if taken else None
            if not await self._store.guilds.advance_daily_date(tx, guild_id, day):
                return None
            await tx.execute(
                "INSERT INTO daily_posts (guild_id, posted_on, song_id, channel_id, claimed_by, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (guild_id, day, song_id, channel_id, self._store.token, stamp(now)))
            return row[0] or ""

    async def unfinished_claim(self, guild_id: int, day: str) -> dt.datetime | None:
        """When another process's claim of `day`, not posted (yet), may be taken over; None if there is none."""
        claimed_at = await self._store.fetchval(
            "SELECT claimed_at FROM daily_posts WHERE guild_id = ? AND posted_on = ? AND message_id IS NULL "
            "AND claimed_by <> ?", (guild_id, day, self._store.token))
        if claimed_at is None:
            return None
        return parse_stamp(claimed_at) + self.TAKEOVER_AFTER

    async def finish(self, guild_id: int, day: str, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE daily_posts SET message_id = ? WHERE guild_id = ? AND posted_on = ?",
                             (message_id, guild_id, day))
            await self._store.guilds.record_daily_outcome(tx, guild_id, None)

    async def fail(self, guild_id: int, day: str, error: str, *, previous: str | None = None) -> None:
        """The post did not go out: forget the claimed post and record why.

        `previous` given: a passing fault, so the day is open again (the handled date goes back).
        """
        async with self._store.transaction() as tx:
            await tx.execute("DELETE FROM daily_posts WHERE guild_id = ? AND posted_on = ?", (guild_id, day))
            if previous is None:
                await self._store.guilds.record_daily_outcome(tx, guild_id, error)
            else:
                await self._store.guilds.record_daily_outcome(tx, guild_id, error, handled_date=previous or None)
