"""Song cards kept ready: one JSON document per song holding everything its
card shows, so that a card is one indexed read instead of a batch of nine queries. On PostgreSQL
that batch was most of the database's CPU per /random, which is what limits how many interactions
a fleet of bot processes serves (BENCHMARKS.md).

A document counts only while its `generation` is the cards' (meta 'generation:cards', bumped in the
same transaction by every write to the shared catalog; a server's own write marks the documents of
the songs it wrote stale instead, generation 0, see `mark_stale`)
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
from .engine import Batches, Dialect, Query, Row, Session, ids_param

CARDS_LOCK = 0x05_7BA1_CA4D  # see `Store.guild_changed`

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)

# Bump when `Song` (or a model it holds) changes shape: documents of another format are rebuilt.
FORMAT = 2
# Songs a batch: building their models holds the event loop. Rebuilding 50,000 on SQLite, the loop's
# lag was p99 11 ms, max 16 ms with 200 (18 and 30 ms with 500).
BUILD_BATCH = 200
# Marked songs written by reading them inside the writing transaction (`_write_locked`); a larger batch
# is read first, on SQLite on a reader's thread, so the writer is not held by the read.
LOCKED_MAX = 10
# Advanced by every catalog write that can change a card (`Store.changed`).
_CURRENT = "(SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'generation:cards')"
_SERVERS = "SELECT value FROM meta WHERE key = 'generation:guilds'"
_LABELS = f"SELECT {_CURRENT}, ({_SERVERS})"
_UPSERT = ("INSERT INTO song_cards (song_id, generation, format, doc) VALUES (:id, :generation, :format, :doc) "
           "ON CONFLICT (song_id) DO UPDATE SET generation = excluded.generation, format = excluded.format, "
           "doc = excluded.doc WHERE song_cards.generation <= excluded.generation")
# A server's write marks its songs' documents stale (generation 0 is never the cards'), found by
# the partial index song_cards_stale (V12).
_STALE = "SELECT song_id FROM song_cards WHERE generation = 0 ORDER BY song_id"
_CHANGED_SERVERS = "SELECT guild_id FROM catalog_guild_changes WHERE seq > :seen"
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Song).decode

# Reads the songs' cards from the catalog's tables, in one snapshot (`_SongReader.read`).
CardReader = Callable[[Batches, list[int]], Awaitable[list[Song]]]


class SongCards:
    def __init__(self, store: Store, read_cards: CardReader) -> None:
        self._store = store
        self._read_cards = read_cards
        self._complete_at: int | None = None  # the cards' generation every document was last written for

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
        carries the generation it was read at (one read during a catalog write is simply stale).

        After a complete build of this generation, only the documents servers' writes marked stale
        are written (an indexed read of a few rows); otherwise every song is compared with its document."""
        # One trip: the cards' generation and the documents servers' writes marked stale.
        [[(generation,)], stale] = await self._store.fetch_many([(f"SELECT {_CURRENT}", {}), (_STALE, {})])
        if generation is None:  # no card was ever written
            async with self._store.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('generation:cards', '1') "
                                 "ON CONFLICT (key) DO NOTHING")
            generation = await self._store.fetchval(f"SELECT {_CURRENT}")
        complete = generation == self._complete_at
        # All at once: asked batch by batch, the planner (which has not seen the table grow) may read
        # the whole table for each.
        rows = stale if complete else await self._store.fetch(
            "SELECT s.id FROM songs s WHERE NOT EXISTS (SELECT 1 FROM song_cards c WHERE c.song_id = s.id "
            "AND c.generation = :generation AND c.format = :format) ORDER BY s.id",
            {"generation": generation, "format": FORMAT})
        missing = [row[0] for row in rows]
        written = 0
        for start in range(0, len(missing), batch):
            written += await self._write(missing[start:start + batch], complete)
        if missing and not complete:
            # Every song of `generation` has a document of it or a newer one now (or is marked stale):
            # older documents belong to songs deleted since.
            async with self._store.transaction() as tx:
                await tx.execute("DELETE FROM song_cards WHERE generation < :generation AND generation <> 0",
                                 {"generation": generation})
        self._complete_at = generation
        return written

    async def _write(self, ids: list[int], stale_only: bool) -> int:
        """One batch of documents; how many were written (the others are marked stale)."""
        if stale_only and len(ids) <= LOCKED_MAX:
            return await self._write_locked(ids)
        async with self._store.read() as r:  # on SQLite a reader's thread: the loop is not held
            labels = _Labelled(r)
            songs = await self._read_cards(labels, ids)
        labelled, guilds = labels.row or (None, None)
        async with self._store.transaction() as tx:
            if lock := self._store.dialect.lock(CARDS_LOCK):
                await tx.execute(lock)
            if await tx.fetchval(_SERVERS) != guilds:
                # Servers changed their own songs since they were read: their songs are marked stale
                # for the next build (a document read before the change is never stored after it).
                changed = {row[0] for row in await tx.fetch(_CHANGED_SERVERS, {"seen": int(guilds or 0)})}
                if left := [s.id for s in songs if s.guild_id in changed]:
                    await mark_stale(tx, self._store.dialect, left)
                songs = [s for s in songs if s.guild_id not in changed]
            await tx.executemany(_UPSERT, [{"id": s.id, "generation": labelled, "format": FORMAT,
                                            "doc": _encode(s).decode()} for s in songs])
            if stale_only:
                await self._drop_removed(tx, ids)
        return len(songs)

    async def _write_locked(self, ids: list[int]) -> int:
        """A few marked songs (a server's write or two), read inside the transaction that writes their
        documents, after the lock a server's write takes before marking: a write that changes them
        after this read marks them again after this commit, so nothing read here is ever discarded
        (read outside, while a server wrote back to back, nearly every such document was)."""
        async with self._store.transaction() as tx:
            if lock := self._store.dialect.lock(CARDS_LOCK):
                await tx.execute(lock)
            labels = _Labelled(tx)
            songs = await self._read_cards(labels, ids)
            labelled = labels.row[0] if labels.row else None
            await tx.executemany(_UPSERT, [{"id": s.id, "generation": labelled, "format": FORMAT,
                                            "doc": _encode(s).decode()} for s in songs])
            await self._drop_removed(tx, ids)
        return len(songs)

    async def _drop_removed(self, tx: Session, ids: list[int]) -> None:
        """A song removed since it was marked has no card to write: its mark goes."""
        ids_sql = self._store.dialect.ids("ids")
        await tx.execute(f"DELETE FROM song_cards WHERE generation = 0 AND song_id IN ({ids_sql}) "
                         "AND NOT EXISTS (SELECT 1 FROM songs WHERE songs.id = song_cards.song_id)",
                         {"ids": ids_param(ids)})


class _Labelled:
    """Reads the cards' generation and the servers' sequence (`_LABELS`) in the same batch, so the same
    snapshot, as the songs' batch: one trip."""

    def __init__(self, store: Batches) -> None:
        self._store = store
        self.row: Row | None = None

    async def fetch_many(self, queries: Sequence[Query], ids: Query | None = None) -> list[list[Row]]:
        *rows, labels = await self._store.fetch_many([*queries, (_LABELS, {})], ids)
        self.row = labels[0] if labels else None
        return rows


async def mark_stale(tx: Session, dialect: Dialect, song_ids: Sequence[int]) -> None:
    """Inside a server's write: its songs' documents are stale (generation 0, never current), and a new
    song gets a row so marked; a removed song's row goes. The keeper writes the marked ones (`build`)."""
    ids = {"ids": ids_param(song_ids)}
    await tx.execute(f"DELETE FROM song_cards WHERE song_id IN ({dialect.ids('ids')}) "
                     "AND NOT EXISTS (SELECT 1 FROM songs WHERE songs.id = song_cards.song_id)", ids)
    await tx.execute(f"INSERT INTO song_cards (song_id, generation, format, doc) SELECT id, 0, 0, '' FROM songs "
                     f"WHERE id IN ({dialect.ids('ids')}) ON CONFLICT (song_id) DO UPDATE SET generation = 0", ids)
