"""Song cards kept ready: one JSON document per song holding everything its
card shows, so that a card is one indexed read instead of a batch of nine queries. On PostgreSQL
that batch was most of the database's CPU per /random, which is what limits how many interactions
a fleet of bot processes serves (BENCHMARKS.md).

A document counts only while its `generation` is the cards' (meta 'generation:cards', bumped in the
same transaction by every write to the shared catalog; a server's own write drops the documents of
the songs it wrote instead, see `Store.guild_changed`)
and its `format` is this code's: a stale document is never shown. A song without a current document
is read from the catalog's tables. The documents are written in the background by one
process (`bot.app`: the owner of shard 0) after each catalog change; two processes writing them at
once (a rolling deploy) only repeat each other's work.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from ..catalog.models import Song
from .engine import Batches, ids_param

CARDS_LOCK = 0x05_7BA1_CA4D  # see `Store.guild_changed`

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)

# Bump when `Song` (or a model it holds) changes shape: documents of another format are rebuilt.
FORMAT = 2
# Songs a batch: building their models holds the event loop. Rebuilding 50,000 on SQLite, the loop's
# lag was p99 11 ms, max 16 ms with 200 (18 and 30 ms with 500).
BUILD_BATCH = 200
# Advanced by every catalog write that can change a card (`Store.changed`).
_CURRENT = "(SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'generation:cards')"
_SERVERS = "SELECT value FROM meta WHERE key = 'generation:guilds'"
_LABELS = f"SELECT {_CURRENT}, ({_SERVERS})"
_UPSERT = ("INSERT INTO song_cards (song_id, generation, format, doc) VALUES (:id, :generation, :format, :doc) "
           "ON CONFLICT (song_id) DO UPDATE SET generation = excluded.generation, format = excluded.format, "
           "doc = excluded.doc WHERE song_cards.generation <= excluded.generation")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Song).decode

# Reads the songs' cards from the catalog's tables, in one snapshot (`_SongReader.read`).
CardReader = Callable[[Batches, list[int]], Awaitable[list[Song]]]


class SongCards:
    def __init__(self, store: Store, read_cards: CardReader) -> None:
        self._store = store
        self._read_cards = read_cards

    async def ready(self, ids: Sequence[int]) -> dict[int, Song]:
        """The songs among `ids` whose document is current, by id."""
        # A batch of one: on SQLite it is read on the event loop's thread (an indexed read of a few rows),
        # not on a reader's thread, whose round trip was most of a card's time and all of its spread
        # while another server wrote (benchmarks.noisy).
        [rows] = await self._store.fetch_many([(
            f"SELECT song_id, doc FROM song_cards WHERE song_id IN ({self._store.dialect.ids('ids')}) "
            f"AND generation = {_CURRENT} AND format = :format", {"ids": ids_param(ids), "format": FORMAT})])
        found = {}
        for song_id, doc in rows:
            try:
                found[song_id] = _decode(doc)
            except msgspec.MsgspecError:  # never written so; the song is read from the tables instead
                log.warning("song card %s: its document does not read as a song", song_id)
        return found

    async def counts(self) -> tuple[int, int]:
        """(songs with a current document, songs): what `ostbot db check` shows."""
        row = await self._store.fetchrow(
            f"SELECT (SELECT count(*) FROM song_cards WHERE generation = {_CURRENT} AND format = :format), "
            "(SELECT count(*) FROM songs)", {"format": FORMAT})
        assert row is not None
        return row[0], row[1]

    async def build(self, batch: int = BUILD_BATCH) -> int:
        """Write every missing or stale document, `batch` songs a transaction; how many were written.
        Each batch reads its songs and the catalog's generation in one snapshot, so a document always
        carries the generation it was read at (one read during a catalog write is simply stale)."""
        if await self._store.fetchval(f"SELECT {_CURRENT}") is None:  # no card was ever written
            async with self._store.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('generation:cards', '1') "
                                 "ON CONFLICT (key) DO NOTHING")
        async with self._store.read() as r:
            generation = await r.fetchval(f"SELECT {_CURRENT}")
            # All at once: asked batch by batch, the planner (which has not seen the table grow)
            # may read the whole table for each.
            rows = await r.fetch(
                "SELECT s.id FROM songs s WHERE NOT EXISTS (SELECT 1 FROM song_cards c WHERE c.song_id = s.id "
                "AND c.generation = :generation AND c.format = :format) ORDER BY s.id",
                {"generation": generation, "format": FORMAT})
        missing = [row[0] for row in rows]
        written = 0
        for start in range(0, len(missing), batch):
            async with self._store.read() as r:
                labelled, guilds = await r.fetchrow(_LABELS) or (None, None)
                songs = await self._read_cards(r, missing[start:start + batch])
            async with self._store.transaction() as tx:
                if lock := self._store.dialect.lock(CARDS_LOCK):
                    await tx.execute(lock)
                if await tx.fetchval(_SERVERS) != guilds:
                    # A server changed its own songs since they were read (and dropped their documents):
                    # theirs are written at the next build, the shared songs' now.
                    songs = [s for s in songs if s.guild_id is None]
                await tx.executemany(_UPSERT, [{"id": s.id, "generation": labelled, "format": FORMAT,
                                                "doc": _encode(s).decode()} for s in songs])
            written += len(songs)
        if missing:
            # Every song of `generation` has a document of it or a newer one now: older documents
            # belong to songs deleted since.
            async with self._store.transaction() as tx:
                await tx.execute("DELETE FROM song_cards WHERE generation < :generation", {"generation": generation})
        return written
