"""A server's own catalog: its added songs, the shipped songs it hides, and its song of the day.

Every catalog write runs in one transaction and tells the store (`Store.changed`), so caches built
from the catalog rebuild. Deleting a song row drops its search row and sources by trigger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog.text import compact
from .catalog_repo import VISIBLE_SONG
from .times import parse_stamp, stamp

if TYPE_CHECKING:
    from .connection import Store


@dataclass(frozen=True, slots=True)
class SongLine:
    """One song as a single line: for autocomplete and confirmations."""

    id: int
    title: str
    hangul: str | None
    drama: str
    drama_hangul: str | None
    shipped: bool


_LINE = ("SELECT s.id, s.title, s.hangul, d.name AS drama, d.hangul AS drama_hangul, s.guild_id IS NULL AS shipped "
         "FROM songs s JOIN dramas d ON d.id = s.drama_id")
# Matches when the query is empty or appears inside any title of the song or name of its drama.
_MATCHES = ("(:q = '' OR EXISTS (SELECT 1 FROM song_titles st WHERE st.song_id = s.id AND {title_has}) "
            "OR EXISTS (SELECT 1 FROM drama_names dn WHERE dn.drama_id = s.drama_id AND {drama_has}))")
# `exact`: one of the song's titles (main, Hangul or alias) is the query, typed in full.
_EXACTLY = "EXISTS (SELECT 1 FROM song_titles st WHERE st.song_id = s.id AND st.norm = :q)"


def _line(row) -> SongLine:
    return SongLine(row["id"], row["title"], row["hangul"], row["drama"], row["drama_hangul"], bool(row["shipped"]))


class AdditionsRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        d = store.dialect
        self._matches = _MATCHES.format(title_has=d.contains("st.norm", ":q"), drama_has=d.contains("dn.norm", ":q"))
        self._by_title = f"ORDER BY {d.nocase('s.title')}, s.id LIMIT :limit"

    def _matching(self, exact: bool) -> str:
        return _EXACTLY if exact else self._matches

    # -- reads ------------------------------------------------------------------------------

    async def additions(self, guild_id: int, query: str = "", limit: int = 25, *, exact: bool = False
                        ) -> list[SongLine]:
        """This server's added songs whose title or drama contains `query` (`exact`: a title is
        `query`), by title."""
        rows = await self._store.fetch(
            f"{_LINE} WHERE s.guild_id = :guild AND {self._matching(exact)} " + self._by_title,
            {"guild": guild_id, "q": compact(query), "limit": limit})
        return [_line(r) for r in rows]

    async def shipped_visible(self, guild_id: int, query: str = "", limit: int = 25, *, exact: bool = False
                              ) -> list[SongLine]:
        """Shared songs this server still sees (candidates for hiding)."""
        rows = await self._store.fetch(
            f"{_LINE} WHERE s.guild_id IS NULL AND {VISIBLE_SONG} AND {self._matching(exact)} " + self._by_title,
            {"guild": guild_id, "q": compact(query), "limit": limit})
        return [_line(r) for r in rows]

    async def hidden(self, guild_id: int, query: str = "", limit: int = 25, *, exact: bool = False
                     ) -> list[SongLine]:
        rows = await self._store.fetch(
            f"{_LINE} JOIN hidden_songs h ON h.song_id = s.id AND h.guild_id = :guild "
            f"WHERE {self._matching(exact)} " + self._by_title,
            {"guild": guild_id, "q": compact(query), "limit": limit})
        return [_line(r) for r in rows]

    async def song_line(self, song_id: int) -> SongLine | None:
        row = await self._store.fetchrow(f"{_LINE} WHERE s.id = :id", {"id": song_id})
        return _line(row) if row else None

    async def is_hidden(self, guild_id: int, song_id: int) -> bool:
        return bool(await self._store.fetchval(
            "SELECT 1 FROM hidden_songs WHERE guild_id = ? AND song_id = ?", (guild_id, song_id)))

    async def visible_titles(self, guild_id: int) -> list[tuple[int, str, str]]:
        """(song id, title, its `compact` form) for every title and alias of every song this server sees."""
        rows = await self._store.fetch(
            f"SELECT st.song_id, st.name, st.norm FROM song_titles st JOIN songs s ON s.id = st.song_id "
            f"WHERE {VISIBLE_SONG}", {"guild": guild_id})
        return [(r[0], r[1], r[2]) for r in rows]

    async def addition_id_by_key(self, guild_id: int, key: str) -> int | None:
        return await self._store.fetchval("SELECT id FROM songs WHERE guild_id = ? AND key = ?", (guild_id, key))

    # -- writes -----------------------------------------------------------------------------

    async def remove_addition(self, guild_id: int, song_id: int) -> bool:
        """Delete one of this server's songs, and its dramas and artists nothing else uses."""
        async with self._store.transaction() as tx:
            cursor = await tx.execute("DELETE FROM songs WHERE id = ? AND guild_id = ?", (song_id, guild_id))
            removed = cursor > 0
            if removed:
                await tx.execute(
                    "DELETE FROM dramas WHERE guild_id = ? AND origin = 'guild' "
                    "AND id NOT IN (SELECT drama_id FROM songs)", (guild_id,))
                await tx.execute(
                    "DELETE FROM artists WHERE guild_id = ? AND origin = 'guild' "
                    "AND id NOT IN (SELECT artist_id FROM song_artists) "
                    "AND id NOT IN (SELECT group_id FROM artist_groups)", (guild_id,))
                await self._store.changed(tx, "catalog")
        return removed

    async def hide(self, guild_id: int, song_id: int) -> bool:
        """Hide a shared song for this server only; False if it is not a shared song or already hidden."""
        async with self._store.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO hidden_songs (guild_id, song_id) "
                "SELECT CAST(? AS BIGINT), id FROM songs WHERE id = ? AND guild_id IS NULL ON CONFLICT DO NOTHING",
                (guild_id, song_id))
            changed = cursor > 0
            if changed:
                await self._store.changed(tx, "catalog")
        return changed

    async def unhide(self, guild_id: int, song_id: int) -> bool:
        async with self._store.transaction() as tx:
            cursor = await tx.execute("DELETE FROM hidden_songs WHERE guild_id = ? AND song_id = ?",
                                      (guild_id, song_id))
            changed = cursor > 0
            if changed:
                await self._store.changed(tx, "catalog")
        return changed

    # -- song of the day --------------------------------------------------------------------

    async def daily_candidates(self, guild_id: int, ballads_only: bool) -> list[int]:
        """Songs this server sees, ballads only when asked (all of them if it has no ballad)."""
        params = {"guild": guild_id}
        if ballads_only:
            rows = await self._store.fetch(
                f"SELECT s.id FROM songs s WHERE s.is_ballad = 1 AND {VISIBLE_SONG} ORDER BY s.id", params)
            if rows:
                return [r[0] for r in rows]
        rows = await self._store.fetch(f"SELECT s.id FROM songs s WHERE {VISIBLE_SONG} ORDER BY s.id", params)
        return [r[0] for r in rows]

    async def daily_history(self, guild_id: int) -> dict[int, str]:
        """song id -> the last local date it was the song of the day here."""
        rows = await self._store.fetch(
            "SELECT song_id, max(posted_on) FROM daily_posts WHERE guild_id = ? AND song_id IS NOT NULL "
            "GROUP BY song_id", (guild_id,))
        return {r[0]: r[1] for r in rows}

    async def daily_posts(self, guild_id: int) -> list[tuple[str, int | None, int, int | None]]:
        """(date, song id, channel id, message id) of every post here, oldest first."""
        rows = await self._store.fetch(
            "SELECT posted_on, song_id, channel_id, message_id FROM daily_posts WHERE guild_id = ? "
            "ORDER BY posted_on", (guild_id,))
        return [tuple(r) for r in rows]

    async def last_daily_post(self, guild_id: int) -> str | None:
        return await self._store.fetchval("SELECT max(posted_on) FROM daily_posts WHERE guild_id = ?", (guild_id,))

    # A claim not posted this long after it was made, by a process with no recent heartbeat, died with
    # its process: another may take it over. A live claimer (heartbeat within LIVE_WITHIN) keeps it.
    TAKEOVER_AFTER = dt.timedelta(minutes=10)
    LIVE_WITHIN = dt.timedelta(seconds=90)

    async def claim_daily(self, guild_id: int, day: str, song_id: int, channel_id: int,
                          now: dt.datetime | None = None) -> str | None:
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
                     "alive": stamp(now - self.LIVE_WITHIN)})
                return "" if taken else None
            claimed = await tx.execute(
                "UPDATE guild_settings SET daily_last_date = :day WHERE guild_id = :guild "
                "AND (daily_last_date IS NULL OR daily_last_date < :day)", {"day": day, "guild": guild_id})
            if not claimed:
                return None
            await self._store.changed(tx, "settings")
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

    async def finish_daily(self, guild_id: int, day: str, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.execute("UPDATE daily_posts SET message_id = ? WHERE guild_id = ? AND posted_on = ?",
                             (message_id, guild_id, day))
            await tx.execute("UPDATE guild_settings SET daily_error = NULL WHERE guild_id = ?", (guild_id,))
            await self._store.changed(tx, "settings")

    async def fail_daily(self, guild_id: int, day: str, error: str, *, previous: str | None = None) -> None:
        """The post did not go out: forget the claimed post and record why.

        `previous` given: a passing fault, so the day is open again (the handled date goes back).
        """
        async with self._store.transaction() as tx:
            await tx.execute("DELETE FROM daily_posts WHERE guild_id = ? AND posted_on = ?", (guild_id, day))
            if previous is None:
                await tx.execute("UPDATE guild_settings SET daily_error = ? WHERE guild_id = ?", (error, guild_id))
            else:
                await tx.execute("UPDATE guild_settings SET daily_error = ?, daily_last_date = ? WHERE guild_id = ?",
                                 (error, previous or None, guild_id))
            await self._store.changed(tx, "settings")

    # -- quiz scores --------------------------------------------------------------------------

    async def clear_quiz_scores(self, guild_id: int) -> int:
        """Forget every quiz answer (hence every score and leaderboard row) of one server only.

        The quiz tables are the quiz helper's (V2__quiz.sql); QuizRepo has no such method, so
        the one DELETE lives here. Games and rounds stay, so question history is kept.
        """
        async with self._store.transaction() as tx:
            cursor = await tx.execute("DELETE FROM quiz_answers WHERE guild_id = ?", (guild_id,))
            return cursor
