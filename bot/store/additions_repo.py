"""A server's own catalog: its added songs and the shipped songs it hides.

Every catalog write runs in one transaction and tells the store (`Store.guild_changed`), so this
server's caches (and only this server's) are built again. Deleting a song row drops its search row
and sources by trigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog.text import compact
from .engine import Row
from .visibility import VISIBLE_SONG

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


def _line(row: Row) -> SongLine:
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

    async def visible_titles(self, guild_id: int) -> list[tuple[int, str, str]]:
        """(song id, title, its `compact` form) for every title and alias of every song this server sees."""
        rows = await self._store.fetch(
            f"SELECT st.song_id, st.name, st.norm FROM song_titles st JOIN songs s ON s.id = st.song_id "
            f"WHERE {VISIBLE_SONG}", {"guild": guild_id})
        return [(r[0], r[1], r[2]) for r in rows]

    async def addition_id_by_key(self, guild_id: int, key: str) -> int | None:
        song_id: int | None = await self._store.fetchval("SELECT id FROM songs WHERE guild_id = ? AND key = ?",
                                                         (guild_id, key))
        return song_id

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
                await self._store.guild_changed(tx, guild_id, [song_id])
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
                await self._store.guild_changed(tx, guild_id)
        return changed

    async def unhide(self, guild_id: int, song_id: int) -> bool:
        async with self._store.transaction() as tx:
            cursor = await tx.execute("DELETE FROM hidden_songs WHERE guild_id = ? AND song_id = ?",
                                      (guild_id, song_id))
            changed = cursor > 0
            if changed:
                await self._store.guild_changed(tx, guild_id)
        return changed
