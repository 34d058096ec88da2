"""Catalog storage: seeding, record import/export, the full-text index, and reads into models.

Every write is one transaction; the search index is rebuilt for every touched song inside that
same transaction, so it never drifts. Imports are set-based (a few statements per batch of songs,
not per song), so a 10,000-song import costs the same handful of round trips on either engine.
Reads of a card (a dozen independent queries) go out together in one `fetch_many`.
Which rows a server sees is `visibility`'s SQL, shared with the other repositories.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..catalog.fetched import FetchPlan, FetchResult
from ..catalog.limits import ServerSongLimit
from ..catalog.models import (
    Actor,
    Artist,
    CatalogCounts,
    Drama,
    SeedActor,
    SeedArtist,
    SeedCatalog,
    SeedDrama,
    SeedSong,
    SeedSource,
    Song,
    Source,
)
from ..catalog.records import SongRecord, make_slug
from ..catalog.text import compact
from .catalog_reads import DramaReader, Reads, source_from_row
from .engine import Dialect, Query, Row, Session, ids_param
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
_NAMES = {"dramas": ("drama_names", "drama_id"), "artists": ("artist_names", "artist_id"),
          "songs": ("song_titles", "song_id"), "actors": ("actor_names", "actor_id")}


@dataclass(frozen=True, slots=True)
class SeedReport:
    changed: bool
    songs: int = 0
    dramas: int = 0
    artists: int = 0
    removed: int = 0


class _RolledBack(Exception):
    def __init__(self, result: FetchResult) -> None:
        super().__init__("dry run")
        self.result = result


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    song_ids: tuple[int, ...]


def owned_by(guild_id: int | None) -> str:
    """`guild_id IS NULL` or `guild_id = :guild`: either form uses the partial unique indexes on key."""
    return "guild_id IS NULL" if guild_id is None else "guild_id = :guild"


# -- writing ----------------------------------------------------------------------------------

class _Writer:
    """The statements of one write transaction, in the store's dialect."""

    def __init__(self, tx: Session, d: Dialect) -> None:
        self.tx = tx
        self.d = d

    async def upsert_many(self, table: str, guild_id: int | None, rows: dict[str, dict[str, Any]]) -> dict[str, int]:
        """Insert or update many entries of one owner, keyed by `key`; returns key -> id."""
        if not rows:
            return {}
        found_sql = f"SELECT id, key FROM {table} WHERE {owned_by(guild_id)} AND key IN ({self.d.texts('keys')})"
        params = {"keys": json.dumps(list(rows)), "guild": guild_id}
        found = {r[1]: int(r[0]) for r in await self.tx.fetch(found_sql, params)}
        names = sorted(next(iter(rows.values())))
        new = [k for k in rows if k not in found]
        if new:
            await self.tx.executemany(
                f"INSERT INTO {table} (key, guild_id, {', '.join(names)}) "
                f"VALUES (?, ?, {', '.join('?' for _ in names)})",
                [(k, guild_id, *(rows[k][n] for n in names)) for k in new])
        old = [k for k in rows if k in found]
        if old:
            await self.tx.executemany(
                f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                [(*(rows[k][n] for n in names), found[k]) for k in old])
        if new:
            found = {r[1]: int(r[0]) for r in await self.tx.fetch(found_sql, params)}
        return {k: found[k] for k in rows}

    async def free_keys(self, table: str, guild_id: int | None, slugs: dict[str, str]) -> dict[str, str]:
        """For each wanted slug, itself or the first `slug-2`, `slug-3` ... no entry of this owner has."""
        taken = {r[0] for r in await self.tx.fetch(f"SELECT key FROM {table} WHERE {owned_by(guild_id)}",
                                                   {"guild": guild_id})}
        keys: dict[str, str] = {}
        for wanted, slug in slugs.items():
            key, n = slug, 2
            while key in taken:
                key, n = f"{slug}-{n}", n + 1
            taken.add(key)
            keys[wanted] = key
        return keys

    async def replace_names(self, table: str, names_by_id: Mapping[int, tuple[str, Iterable[str]]]) -> None:
        """Each entry's names: its main name, then the others (duplicates and blanks dropped)."""
        names_table, column = _NAMES[table]
        if not names_by_id:
            return
        await self.tx.execute(f"DELETE FROM {names_table} WHERE {column} IN ({self.d.ids('ids')})",
                              {"ids": ids_param(names_by_id)})
        rows = []
        for entry_id, (main, others) in names_by_id.items():
            rows.append((entry_id, main, compact(main), 1))
            rows += [(entry_id, n, compact(n), 0) for n in dict.fromkeys(others) if n and n != main]
        await self.tx.executemany(f"INSERT INTO {names_table} ({column}, name, norm, is_main) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT DO NOTHING", rows)

    async def replace_song_children(self, songs: dict[int, tuple[list[tuple[int, str]], Iterable[str], Iterable[str]]]
                                    ) -> None:
        """Each song's (credits [(artist id, role)], styles, moods)."""
        if not songs:
            return
        params = {"ids": ids_param(songs)}
        await self.tx.execute(f"DELETE FROM song_artists WHERE song_id IN ({self.d.ids('ids')})", params)
        await self.tx.executemany(
            "INSERT INTO song_artists (song_id, artist_id, role, position) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(song_id, artist_id, role, i) for song_id, (credits, _, _) in songs.items()
             for i, (artist_id, role) in enumerate(credits)])
        await self.tx.execute(f"DELETE FROM song_tags WHERE song_id IN ({self.d.ids('ids')})", params)
        await self.tx.executemany(
            "INSERT INTO song_tags (song_id, kind, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(song_id, kind, tag) for song_id, (_, styles, moods) in songs.items()
             for kind, tags in (("style", styles), ("mood", moods)) for tag in tags])

    async def replace_facts_and_sources(self, kind: str, entries: Mapping[int, SeedDrama | SeedArtist | SeedSong],
                                        source_ids: dict[str, int]) -> None:
        """Each seed entry's facts and the articles naming it, for many entries of one `kind` at once."""
        column = f"{kind}_id"
        params = {"ids": ids_param(entries), "kind": kind}
        await self.tx.execute(f"DELETE FROM facts WHERE {column} IN ({self.d.ids('ids')})", params)
        await self.tx.executemany(
            f"INSERT INTO facts ({column}, kind, text, text_ko, source_id, position) VALUES (?, ?, ?, ?, ?, ?)",
            [(entry_id, f.kind, f.text, f.text_ko, source_ids[f.source], i)
             for entry_id, e in entries.items() for i, f in enumerate(e.facts)])
        await self.tx.execute(f"DELETE FROM entry_sources WHERE kind = :kind AND entry_id IN ({self.d.ids('ids')})",
                              params)
        await self.tx.executemany("INSERT INTO entry_sources (kind, entry_id, source_id) VALUES (?, ?, ?)",
                                  [(kind, entry_id, source_ids[k]) for entry_id, e in entries.items()
                                   for k in e.sources])

    async def reindex(self, song_ids: Sequence[int]) -> None:
        d = self.d
        ids = d.ids("ids")
        names = d.concat_agg("name", "' | '", "rowid")
        titles = f"(SELECT {names} FROM song_titles WHERE song_id = s.id)"
        artists = (f"(SELECT {names} FROM artist_names "
                   "WHERE artist_id IN (SELECT artist_id FROM song_artists WHERE song_id = s.id "
                   "UNION SELECT group_id FROM artist_groups WHERE member_id IN "
                   "(SELECT artist_id FROM song_artists WHERE song_id = s.id)))")
        drama = f"(SELECT {names} FROM drama_names WHERE drama_id = s.drama_id)"
        tags = f"(SELECT {d.concat_agg('tag', chr(39) + ' ' + chr(39), 'rowid')} FROM song_tags WHERE song_id = s.id)"
        params = {"ids": ids_param(song_ids)}
        await self.tx.execute(d.search_delete(ids), params)
        await self.tx.execute(d.search_insert(ids, titles, artists, drama, tags), params)

    async def resolver(self, table: str, guild_id: int | None) -> dict[str, int]:
        """Name (compact) -> id for entries a server can see; the shipped entry wins a tie."""
        names_table, column = _NAMES[table]
        rows = await self.tx.fetch(
            f"SELECT n.norm, e.id FROM {names_table} n JOIN {table} e ON e.id = n.{column} "
            "WHERE e.guild_id IS NULL OR e.guild_id = :guild ORDER BY e.guild_id IS NULL, n.is_main",
            {"guild": guild_id})
        return {norm: int(entry_id) for norm, entry_id in rows}


def _seed_names(main: str, hangul: str | None, others: Iterable[str]) -> tuple[str, list[str]]:
    """A seed entry's main name, and its other names: the Hangul one first."""
    return main, [*([hangul] if hangul else []), *others]


async def _seed_sources(w: _Writer, sources: list[SeedSource]) -> dict[str, int]:
    """The shipped sources written; their ids by key."""
    source_ids: dict[str, int] = {}
    for s in sources:
        source_ids[s.key] = int(await w.tx.fetchval(
            "INSERT INTO sources (key, title, publisher, author, published, note, about, about_ko) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET title = excluded.title, publisher = excluded.publisher, "
            "author = excluded.author, published = excluded.published, note = excluded.note, "
            "about = excluded.about, about_ko = excluded.about_ko RETURNING id",
            (s.key, s.title, s.publisher, s.author, str(s.date) if s.date else None, s.note, s.about, s.about_ko)))
    return source_ids


async def _seed(w: _Writer, catalog: SeedCatalog) -> SeedReport:
    tx = w.tx
    source_ids = await _seed_sources(w, catalog.sources)

    drama_ids = await w.upsert_many("dramas", None, {d.key: {
        "origin": "seed", "name": d.name, "hangul": d.hangul, "year": d.year,
        "network": d.network, "kind": d.kind,
        "lead_actors": json.dumps(d.lead_actors, ensure_ascii=False)} for d in catalog.dramas})
    await w.replace_names("dramas", {drama_ids[d.key]: _seed_names(d.name, d.hangul, d.names) for d in catalog.dramas})
    await w.replace_facts_and_sources("drama", {drama_ids[d.key]: d for d in catalog.dramas}, source_ids)
    await _seed_actors(w, catalog.actors, {d.key: d.lead_actors for d in catalog.dramas}, drama_ids)

    artist_ids = await w.upsert_many("artists", None, {a.key: {
        "origin": "seed", "name": a.name, "hangul": a.hangul, "kind": a.kind} for a in catalog.artists})
    await w.replace_names("artists", {artist_ids[a.key]: _seed_names(a.name, a.hangul, a.names)
                                      for a in catalog.artists})
    await w.replace_facts_and_sources("artist", {artist_ids[a.key]: a for a in catalog.artists}, source_ids)
    await tx.execute(f"DELETE FROM artist_groups WHERE member_id IN ({w.d.ids('ids')})",
                     {"ids": ids_param(artist_ids.values())})
    await tx.executemany("INSERT INTO artist_groups (member_id, group_id) VALUES (?, ?)",
                         [(artist_ids[a.key], artist_ids[g]) for a in catalog.artists for g in a.groups])

    song_ids = await w.upsert_many("songs", None, {s.key: {
        "origin": "seed", "title": s.title, "hangul": s.hangul,
        "drama_id": drama_ids[s.drama], "year": s.year,
        "release_date": str(s.release_date) if s.release_date else None,
        "episode": s.episode, "description": s.description,
        "description_ko": s.description_ko, "is_ballad": int(s.ballad)} for s in catalog.songs})
    await w.replace_names("songs", {song_ids[s.key]: _seed_names(s.title, s.hangul, s.titles) for s in catalog.songs})
    await w.replace_song_children({song_ids[s.key]: (
        [(artist_ids[c.artist], c.role) for c in s.artists], s.styles, s.moods)
        for s in catalog.songs})
    await w.replace_facts_and_sources("song", {song_ids[s.key]: s for s in catalog.songs}, source_ids)

    # Shipped entries dropped from the file go; nothing a server or an import added is touched.
    ids = w.d.ids("ids")
    removed = await tx.execute(f"DELETE FROM songs WHERE origin = 'seed' AND id NOT IN ({ids})",
                               {"ids": ids_param(song_ids.values())})
    for table, kept in (("dramas", drama_ids), ("artists", artist_ids)):
        ref = ("SELECT drama_id FROM songs" if table == "dramas" else
               "SELECT artist_id FROM song_artists UNION SELECT group_id FROM artist_groups")
        await tx.execute(f"DELETE FROM {table} WHERE origin = 'seed' AND id NOT IN ({ids}) AND id NOT IN ({ref})",
                         {"ids": ids_param(kept.values())})
    # Songs of other origins that use a shipped drama or artist carry its names in the index too.
    affected = [r[0] for r in await tx.fetch(
        "SELECT id FROM songs WHERE origin = 'seed' OR drama_id IN (SELECT id FROM dramas WHERE origin = 'seed') "
        "OR id IN (SELECT song_id FROM song_artists WHERE artist_id IN "
        "(SELECT id FROM artists WHERE origin = 'seed'))")]
    await w.reindex(affected)
    await tx.executemany("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         [("catalog_digest", catalog.digest), ("catalog_version", str(catalog.version))])
    return SeedReport(True, len(song_ids), len(drama_ids), len(artist_ids), removed)


async def _seed_actors(w: _Writer, actors: list[SeedActor], leads: dict[str, tuple[str, ...]],
                       drama_ids: dict[str, int]) -> None:
    """The seed's actors (upserted by key, dropped when gone from the file) and, per drama, the
    actors its `lead_actors` name, in that order. Actors are shipped entries only (no guild_id)."""
    tx = w.tx
    actor_ids: dict[str, int] = {}
    names: dict[int, tuple[str, list[str]]] = {}
    for a in actors:
        actor_id = int(await tx.fetchval(
            "INSERT INTO actors (key, name, hangul) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
            "SET name = excluded.name, hangul = excluded.hangul RETURNING id", (a.key, a.name, a.hangul)))
        names[actor_id] = _seed_names(a.name, a.hangul, a.names)
        for name in (a.name, *a.names):
            actor_ids[compact(name)] = actor_id
    await w.replace_names("actors", names)
    await tx.execute(f"DELETE FROM actors WHERE key NOT IN ({w.d.texts('keys')})",
                     {"keys": json.dumps([a.key for a in actors])})
    await tx.execute(f"DELETE FROM drama_actors WHERE drama_id IN ({w.d.ids('ids')})",
                     {"ids": ids_param(drama_ids[key] for key in leads)})
    await tx.executemany(
        "INSERT INTO drama_actors (drama_id, actor_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(drama_ids[key], actor_ids[compact(n)], i) for key, lead in leads.items()
         for i, n in enumerate(lead) if compact(n) in actor_ids])


async def _import(w: _Writer, records: list[SongRecord], guild_id: int | None, origin: str,
                  added_by: int | None) -> ImportReport:
    entries: dict[str, dict[str, int]] = {}
    for table, names in (("dramas", [r.drama for r in records]),
                         ("artists", [name for r in records for name in r.artists])):
        known = await w.resolver(table, guild_id)
        missing = {compact(n): n for n in reversed(names) if compact(n) not in known}  # the first spelling wins
        if missing:
            # A new name gets a key of its own, even when its slug is taken ("91" and "91가" are two dramas).
            keys = await w.free_keys(table, guild_id, {norm: make_slug(name) for norm, name in missing.items()})
            by_key = await w.upsert_many(table, guild_id, {keys[norm]: {"origin": origin, "name": name}
                                                           for norm, name in missing.items()})
            await w.replace_names(table, {by_key[keys[norm]]: (name, ()) for norm, name in missing.items()})
            known.update({norm: by_key[keys[norm]] for norm in missing})
        entries[table] = known
    dramas, artists = entries["dramas"], entries["artists"]

    song_keys = list(dict.fromkeys(r.slug() for r in records))
    rows = await w.tx.fetch(f"SELECT key, origin FROM songs WHERE {owned_by(guild_id)} "
                            f"AND key IN ({w.d.texts('keys')})", {"keys": json.dumps(song_keys), "guild": guild_id})
    origins = {r[0]: r[1] for r in rows}
    added = updated = 0
    latest: dict[str, SongRecord] = {}
    for r in records:  # in order: a key met twice is added once, then updated
        key = r.slug()
        if key in origins or key in latest:
            updated += 1
        else:
            added += 1
        latest[key] = r
    song_ids = await w.upsert_many("songs", guild_id, {key: {
        "origin": origins.get(key, origin), "title": r.title, "hangul": r.hangul or None,
        "drama_id": dramas[compact(r.drama)], "year": r.year, "release_date": r.release_date or None,
        "description": r.description, "is_ballad": int(r.ballad), "added_by": added_by} for key, r in latest.items()})
    await w.replace_names("songs", {song_ids[key]: (r.title, [*([r.hangul] if r.hangul else []), *r.alt_titles])
                                    for key, r in latest.items()})
    await w.replace_song_children({song_ids[key]: (
        [(artists[compact(name)], "main" if i == 0 else "duet") for i, name in enumerate(r.artists)], r.styles, r.moods)
        for key, r in latest.items()})
    await w.reindex(list(song_ids.values()))
    if len(records) >= 1000:
        await w.tx.execute(w.d.after_bulk_write)
    return ImportReport(added, updated, tuple(song_ids[r.slug()] for r in records))


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
            report = await _seed(_Writer(tx, self._d), catalog)
            await self._store.changed(tx, "catalog")
        return report

    async def import_records(self, records: list[SongRecord], *, guild_id: int | None = None,
                             origin: str = "import", added_by: int | None = None) -> ImportReport:
        """Add or update songs from flat records, all in one transaction. For a server (`guild_id`),
        nothing is written if the server would pass `max_server_songs` (ServerSongLimit), and only
        that server's caches are dropped."""
        async with self._store.transaction() as tx:
            report = await _import(_Writer(tx, self._d), records, guild_id, origin, added_by)
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
                result = await add_fetched(_Writer(tx, self._d), plan, guild_id, origin, added_by)
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
        songs = await self.songs_by_ids([r[0] for r in rows], guild_id)
        return [SongRecord(
            key=s.key, title=s.title, hangul=s.hangul or "", alt_titles=list(s.alt_titles),
            artists=[c.name for c in s.credits], drama=s.drama.name, year=s.year,
            release_date=s.release_date or "", description=s.description, styles=list(s.styles),
            moods=list(s.moods), ballad=s.is_ballad) for s in songs]
