"""Writing the catalog: the statements of one write transaction (`Writer`), seeding the shipped
catalog (`seed_catalog`) and importing song records (`import_songs`). Every write is set-based (a few
statements per batch of songs, not per song) and rebuilds the search index of every song it touches,
inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog.models import (
    SeedActor,
    SeedArtist,
    SeedCatalog,
    SeedDrama,
    SeedSong,
    SeedSource,
)
from ..catalog.records import SongRecord, make_slug
from ..catalog.text import compact
from .engine import Dialect, Session, ids_param

_NAMES = {"dramas": ("drama_names", "drama_id"), "artists": ("artist_names", "artist_id"),
          "songs": ("song_titles", "song_id"), "actors": ("actor_names", "actor_id")}


@dataclass(frozen=True, slots=True)
class SeedReport:
    changed: bool
    songs: int = 0
    dramas: int = 0
    artists: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    song_ids: tuple[int, ...]


def owned_by(guild_id: int | None) -> str:
    """`guild_id IS NULL` or `guild_id = :guild`: either form uses the partial unique indexes on key."""
    return "guild_id IS NULL" if guild_id is None else "guild_id = :guild"


# -- writing ----------------------------------------------------------------------------------

class Writer:
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

    async def resolver(self, table: str, guild_id: int | None, norms: Iterable[str]) -> dict[str, int]:
        """Name (compact) -> id for the entries a server can see that have one of `norms`; the shipped
        entry wins a tie. Only those names are read (an index look-up each): a one-song write reads
        two rows, not every drama and artist name of a big catalog on the event loop."""
        names_table, column = _NAMES[table]
        rows = await self.tx.fetch(
            f"SELECT n.norm, e.id FROM {names_table} n JOIN {table} e ON e.id = n.{column} "
            f"WHERE n.norm IN ({self.d.texts('norms')}) AND (e.guild_id IS NULL OR e.guild_id = :guild) "
            "ORDER BY e.guild_id IS NULL, n.is_main",
            {"guild": guild_id, "norms": json.dumps(sorted(set(norms)))})
        return {norm: int(entry_id) for norm, entry_id in rows}


def _seed_names(main: str, hangul: str | None, others: Iterable[str]) -> tuple[str, list[str]]:
    """A seed entry's main name, and its other names: the Hangul one first."""
    return main, [*([hangul] if hangul else []), *others]


async def _seed_sources(w: Writer, sources: list[SeedSource]) -> dict[str, int]:
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


async def seed_catalog(w: Writer, catalog: SeedCatalog) -> SeedReport:
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


async def _seed_actors(w: Writer, actors: list[SeedActor], leads: dict[str, tuple[str, ...]],
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


async def _covers_and_recordings(w: Writer, songs: Mapping[int, SongRecord]) -> None:
    """What an export keeps of a fetched song: its cover and its recordings. A record without a cover
    leaves the song's as it is (a file made by hand, or exported before the columns existed, takes
    nothing away); recordings are only ever added."""
    await w.tx.executemany("UPDATE songs SET cover_url = ? WHERE id = ?",
                           [(r.cover_url, song_id) for song_id, r in songs.items() if r.cover_url])
    await w.tx.executemany("INSERT INTO song_recordings (song_id, mbid) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           [(song_id, mbid) for song_id, r in songs.items() for mbid in r.recordings])


async def import_songs(w: Writer, records: list[SongRecord], guild_id: int | None, origin: str,
                  added_by: int | None) -> ImportReport:
    entries: dict[str, dict[str, int]] = {}
    for table, names in (("dramas", [r.drama for r in records]),
                         ("artists", [name for r in records for name in r.artists])):
        known = await w.resolver(table, guild_id, (compact(n) for n in names))
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
    await _covers_and_recordings(w, {song_ids[key]: r for key, r in latest.items()})
    await w.reindex(list(song_ids.values()))
    if len(records) >= 1000:
        await w.tx.execute(w.d.after_bulk_write)
    return ImportReport(added, updated, tuple(song_ids[r.slug()] for r in records))
