"""Catalog storage: the repository the bot and the command line use (seed, import, export, counts,
cards, look-ups by id). How it writes is `catalog_writes`, how it reads entries into models is
`catalog_reads`, which rows a server sees is `visibility`.

Every write is one transaction; the search index is rebuilt for every touched song inside that
same transaction, so it never drifts. Imports are set-based (a few statements per batch of songs,
not per song), so a 10,000-song import costs the same handful of round trips on either engine.
Reads of a card (a dozen independent queries) go out together in one `fetch_many`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..catalog.fetched import FetchPlan, FetchResult
from ..catalog.limits import ServerSongLimit
from ..catalog.models import (
    Actor,
    Artist,
    CatalogCounts,
    Drama,
    SeedCatalog,
    Song,
    Source,
)
from ..catalog.records import SongRecord
from .catalog_reads import DramaReader, Reads, source_from_row
from .catalog_writes import ImportReport, SeedReport, Writer, import_songs, owned_by, seed_catalog
from .engine import Query, Row, Session, ids_param
from .fetched_repo import add_fetched
from .song_cards import BUILD_BATCH, SongCards
from .visibility import VISIBLE_ENTRY, VISIBLE_SONG

if TYPE_CHECKING:
    from .connection import Store

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)


class _EntryReader(Protocol[E_co]):
    """What a card reads its entry with (`Reads.dramas`, `Reads.artists`): its queries, then its models."""

    def queries(self, ids: list[int], guild_id: int | None) -> list[Query]: ...

    def build(self, ids: list[int], rows: list[list[Row]]) -> Sequence[E_co]: ...


SEED_LOCK = 0x05_7BA1_5EED  # the advisory lock of seeding the shipped catalog


class _RolledBack(Exception):
    def __init__(self, result: FetchResult) -> None:
        super().__init__("dry run")
        self.result = result


# -- the repository --------------------------------------------------------------------

class CatalogRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._d = store.dialect
        self._reads = Reads(store.dialect)
        self._cards = SongCards(store, lambda r, ids: self._reads.songs.read(r, ids, None, drama_outline=True))
        # Bumped by every catalog write, in this process or (seen by `Store.refresh`) another:
        # caches built from the whole catalog rebuild when it changes.
        self.generation = 0
        # Bumped by writes to the shared catalog only (seeding, `ostbot db import`): the shared name
        # index and every server's caches depend on it. A server's own writes bump its own counter
        # (`guild_generation`), which only that server's caches depend on.
        self.shared_generation = 0
        self._guild_generations: dict[int, int] = {}
        # The most songs a server may add (OST_MAX_SERVER_SONGS, set by the bot); None: no limit
        # (the operator's command line).
        self.max_server_songs: int | None = None

    def shared_changed(self) -> None:
        self.generation += 1
        self.shared_generation += 1

    def guild_changed(self, guild_id: int) -> None:
        self.generation += 1
        self._guild_generations[guild_id] = self._guild_generations.get(guild_id, 0) + 1

    def guild_generation(self, guild_id: int | None) -> int:
        """How many times this server's own catalog changed (0 for the shared catalog alone)."""
        return 0 if guild_id is None else self._guild_generations.get(guild_id, 0)

    async def seed(self, catalog: SeedCatalog, *, force: bool = False) -> SeedReport:
        """Bring the shipped entries in line with the seed file; a no-op when it is unchanged."""
        if not force and await self._store.meta.get("catalog_digest") == catalog.digest:
            return SeedReport(changed=False)
        async with self._store.transaction() as tx:
            if lock := self._d.lock(SEED_LOCK):  # processes starting together seed one after the other
                await tx.execute(lock)
            # Another process may have seeded meanwhile (this one waited for its lock).
            digest = await tx.fetchval("SELECT value FROM meta WHERE key = 'catalog_digest'")
            if not force and digest == catalog.digest:
                return SeedReport(changed=False)
            report = await seed_catalog(Writer(tx, self._d), catalog)
            await self._store.changed(tx, "catalog")
        return report

    async def import_records(self, records: list[SongRecord], *, guild_id: int | None = None,
                             origin: str = "import", added_by: int | None = None) -> ImportReport:
        """Add or update songs from flat records, all in one transaction. For a server (`guild_id`),
        nothing is written if the server would pass `max_server_songs` (ServerSongLimit), and only
        that server's caches are dropped."""
        async with self._store.transaction() as tx:
            report = await import_songs(Writer(tx, self._d), records, guild_id, origin, added_by)
            if guild_id is None:
                await self._store.changed(tx, "catalog")
            else:
                await self.within_song_limit(tx, guild_id, report.added)
                await self._store.guild_changed(tx, guild_id, report.song_ids)
        return report

    async def add_fetched(self, plan: FetchPlan, *, guild_id: int | None = None, origin: str = "import",
                          added_by: int | None = None, dry_run: bool = False) -> FetchResult:
        """Add a fetch from MusicBrainz (see `fetched_repo`), all in one transaction: the search
        index, the caches of every process and the song cards follow at once, as after an import.
        `dry_run`: what it would add, link and leave out, with the transaction rolled back."""
        try:
            async with self._store.transaction() as tx:
                result = await add_fetched(Writer(tx, self._d), plan, guild_id, origin, added_by)
                if dry_run:
                    raise _RolledBack(result)
                if guild_id is None:
                    await self._store.changed(tx, "catalog")
                else:  # a server's fetch writes that server's rows only, as its import does
                    await self.within_song_limit(tx, guild_id, len(result.added))
                    written = [*result.added, *(s for s in result.linked if s.guild_id == guild_id)]
                    await self._store.guild_changed(tx, guild_id, [song.id for song in written])
        except _RolledBack as rolled_back:
            return rolled_back.result
        return result

    async def within_song_limit(self, tx: Session, guild_id: int, added: int) -> None:
        """Inside a server's write transaction, after its songs are written: raise ServerSongLimit
        (rolling the whole write back) if the server now has more than `max_server_songs`."""
        if self.max_server_songs is None or added <= 0:
            return
        songs = int(await tx.fetchval("SELECT count(*) FROM songs WHERE guild_id = :guild", {"guild": guild_id}))
        if songs > self.max_server_songs:
            raise ServerSongLimit(self.max_server_songs, songs - added, added)

    async def counts(self, guild_id: int | None = None) -> CatalogCounts:
        params = {"guild": guild_id}
        async with self._store.read() as r:  # whole-table counts: on a reader's thread, not the event loop's
            songs, dramas, artists, sources, guild_songs = await r.fetch_many([
                (f"SELECT count(*) FROM songs s WHERE {VISIBLE_SONG}", params),
                (f"SELECT count(*) FROM dramas d WHERE {VISIBLE_ENTRY.format(alias='d')}", params),
                (f"SELECT count(*) FROM artists a WHERE {VISIBLE_ENTRY.format(alias='a')}", params),
                ("SELECT count(*) FROM sources", ()),
                ("SELECT count(*) FROM songs WHERE guild_id = :guild", params)])
        return CatalogCounts(songs[0][0], dramas[0][0], artists[0][0], sources[0][0],
                             guild_songs[0][0] if guild_id is not None else 0)

    async def sources(self) -> list[Source]:
        rows = await self._store.fetch("SELECT * FROM sources ORDER BY id")
        return [source_from_row(r) for r in rows]

    async def visible_song_ids(self, guild_id: int | None) -> list[int]:
        rows = await self._store.fetch(f"SELECT s.id FROM songs s WHERE {VISIBLE_SONG} ORDER BY s.id",
                                       {"guild": guild_id})
        return [r[0] for r in rows]

    async def drama_with_songs(self, drama_id: int, guild_id: int | None) -> tuple[Drama, list[Song]] | None:
        """A drama card's data (the drama and its songs, in episode order), read in one snapshot."""
        query = (f"SELECT s.id FROM songs s WHERE s.drama_id = :entry AND {VISIBLE_SONG} "
                 "ORDER BY coalesce(s.episode, 999), s.id")
        return await self._with_songs(self._reads.dramas, drama_id, guild_id, query)

    async def artist_with_songs(self, artist_id: int, guild_id: int | None) -> tuple[Artist, list[Song]] | None:
        """An artist card's data (the artist and the songs they or their members sing), in one snapshot."""
        query = ("SELECT DISTINCT s.id FROM songs s JOIN song_artists sa ON sa.song_id = s.id "
                 f"WHERE sa.artist_id IN ({self._d.artist_family('CAST(:entry AS BIGINT)')}) AND {VISIBLE_SONG} "
                 "ORDER BY s.id")
        return await self._with_songs(self._reads.artists, artist_id, guild_id, query)

    async def _with_songs(self, load: _EntryReader[E], entry_id: int, guild_id: int | None, song_ids_sql: str
                          ) -> tuple[E, list[Song]] | None:
        # One batch, one trip: the song ids in order (read once), the entry, and the songs themselves
        # (their queries take those ids as the sub-query `batch_ids`). A drama's songs are of that
        # drama: their drama is not read twice.
        params = {"entry": entry_id, "guild": guild_id}
        entry_queries = load.queries([entry_id], guild_id)
        own_drama = isinstance(load, DramaReader)
        ids_rows, *rows = await self._store.fetch_many(
            [*entry_queries, *self._reads.songs.queries([], guild_id, self._d.batch_ids(), params,
                                                         dramas=not own_drama)],
            ids=(song_ids_sql, params))
        entries = load.build([entry_id], rows[:len(entry_queries)])
        if not entries:
            return None
        entry = entries[0]
        songs = self._reads.songs.build([row[0] for row in ids_rows], rows[len(entry_queries):],
                                        drama=entry if isinstance(entry, Drama) else None)
        return entry, songs

    async def song_by_key(self, key: str, guild_id: int | None = None) -> Song | None:
        song_id = await self._store.fetchval(
            f"SELECT s.id FROM songs s WHERE s.key = :key AND {VISIBLE_SONG} ORDER BY s.guild_id IS NULL",
            {"key": key, "guild": guild_id})
        return (await self.songs_by_ids([song_id]))[0] if song_id else None

    # -- hydration: each a dozen independent queries, sent together --------------------

    async def dramas_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Drama]:
        return await self._reads.dramas.read(self._store, list(ids), guild_id)

    async def artists_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Artist]:
        return await self._reads.artists.read(self._store, list(ids), guild_id)

    async def songs_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Song]:
        """Full songs, in the order of `ids` (unknown ids are skipped)."""
        return await self._reads.songs.read(self._store, list(ids), guild_id)

    async def song_cards_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Song]:
        """Songs as a song card shows them: full, but each drama an outline (its row and names; no song
        count, facts, sources or actor entries). From their documents when current (one indexed read,
        see `song_cards`); the others from the catalog's tables, in a batch of 9 queries."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = await self._cards.ready(wanted)
        if missing := [i for i in wanted if i not in found]:
            for song in await self._reads.songs.read(self._store, missing, guild_id, drama_outline=True):
                found[song.id] = song
        return [found[i] for i in wanted if i in found]

    async def card_docs_counts(self) -> tuple[int, int]:
        """(songs whose card document is current, all songs)."""
        return await self._cards.counts()

    async def build_card_docs(self, batch: int = BUILD_BATCH) -> int:
        """Write the song cards' documents that are missing or stale (after a catalog change); how
        many were written. Safe to run in several processes at once."""
        return await self._cards.build(batch)

    async def artist_outlines_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Artist]:
        """Artists with their names, groups and members only (song_count 0, no facts or sources)."""
        return await self._reads.artists.read(self._store, list(ids), guild_id, outline=True)

    async def song_outlines_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Song]:
        """Songs with titles, year, drama and credited names only (see `catalog_reads._OutlineReader`)."""
        return await self._reads.outlines.read(self._store, list(ids), guild_id)

    async def actors_by_ids(self, ids: Iterable[int]) -> list[Actor]:
        """Actors with the ids of the dramas they lead (every server sees every actor; the cards
        keep only the dramas a server can see)."""
        return await self._reads.actors.read(self._store, list(ids))

    async def export_records(self, guild_id: int | None = None) -> list[SongRecord]:
        """guild None: the shared catalog (shipped and imported); else that server's additions."""
        rows = await self._store.fetch(f"SELECT id FROM songs WHERE {owned_by(guild_id)} ORDER BY id",
                                       {"guild": guild_id})
        ids = [r[0] for r in rows]
        songs = await self.songs_by_ids(ids, guild_id)
        recordings: dict[int, list[str]] = {}
        for song_id, mbid in await self._store.fetch(
                f"SELECT song_id, mbid FROM song_recordings WHERE song_id IN ({self._store.dialect.ids('ids')}) "
                "ORDER BY song_id, mbid", {"ids": ids_param(ids)}):
            recordings.setdefault(song_id, []).append(mbid)
        return [SongRecord(
            key=s.key, title=s.title, hangul=s.hangul or "", alt_titles=list(s.alt_titles),
            artists=[c.name for c in s.credits], drama=s.drama.name, year=s.year,
            release_date=s.release_date or "", description=s.description, styles=list(s.styles),
            moods=list(s.moods), ballad=s.is_ballad, cover_url=s.cover_url or "",
            recordings=recordings.get(s.id, [])) for s in songs]
