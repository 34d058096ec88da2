"""Catalog storage: seeding, record import/export, full-text index, and reads into models.

Writes run through `Store.write_sync` (one transaction in a worker thread); the FTS index is
rebuilt for every touched song inside that same transaction, so it never drifts.
Visibility: a server sees the shipped and imported catalog (guild_id NULL) plus its own
additions, minus the songs it hid. Outside a server (guild None) only guild_id NULL rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..catalog.models import Actor, Artist, CatalogCounts, Credit, Drama, Fact, SeedCatalog, Song, Source
from ..catalog.records import SongRecord, make_slug
from ..catalog.text import compact

if TYPE_CHECKING:
    from .connection import Store

# `:guild` may be NULL: then `s.guild_id = NULL` is never true and nothing is hidden.
# The unary + keeps the planner off the songs_guild index here: look-ups are driven from the
# name and FTS indexes, and the visibility test is a cheap filter on the rows they find.
VISIBLE_SONG = ("(+s.guild_id IS NULL OR +s.guild_id = :guild) AND NOT EXISTS "
                "(SELECT 1 FROM hidden_songs h WHERE h.guild_id = :guild AND h.song_id = s.id)")
VISIBLE_ENTRY = "({alias}.guild_id IS NULL OR {alias}.guild_id = :guild)"
IDS = "SELECT value FROM json_each(:ids)"
# `who(id)`: the artist `{start}` and, through groups, its members and sub-units, all the way down.
ARTIST_FAMILY = ("WITH RECURSIVE who(id) AS (SELECT {start} UNION SELECT ag.member_id FROM artist_groups ag "
                 "JOIN who ON ag.group_id = who.id) ")
# How many visible songs the artist `a` (or its members) sings on: a correlated sub-query.
ARTIST_SONG_COUNT = (f"({ARTIST_FAMILY.format(start='a.id')}SELECT count(DISTINCT s.id) FROM songs s "
                     f"JOIN song_artists sa ON sa.song_id = s.id WHERE sa.artist_id IN (SELECT id FROM who) "
                     f"AND {VISIBLE_SONG})")


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


# -- synchronous writers (run inside Store.write_sync) -----------------------------------

def _replace_names(conn: sqlite3.Connection, table: str, column: str, entry_id: int,
                   main: str, others: Iterable[str]) -> None:
    conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (entry_id,))
    rows = [(entry_id, main, compact(main), 1)]
    rows += [(entry_id, name, compact(name), 0) for name in dict.fromkeys(others) if name and name != main]
    conn.executemany(f"INSERT OR IGNORE INTO {table} ({column}, name, norm, is_main) VALUES (?, ?, ?, ?)", rows)


def owner_clause(guild_id: int | None) -> tuple[str, tuple[int, ...]]:
    """`guild_id IS NULL` or `guild_id = ?`: either form uses the partial unique indexes on key,
    where `guild_id IS ?` would make SQLite scan (imports turned quadratic)."""
    return ("guild_id IS NULL", ()) if guild_id is None else ("guild_id = ?", (guild_id,))


def _upsert(conn: sqlite3.Connection, table: str, guild_id: int | None, key: str,
            values: dict[str, Any]) -> tuple[int, bool]:
    """Insert or update the entry (table, owner, key); returns (id, created)."""
    owner, owner_params = owner_clause(guild_id)
    row = conn.execute(f"SELECT id FROM {table} WHERE key = ? AND {owner}", (key, *owner_params)).fetchone()
    names = sorted(values)
    if row is None:
        cursor = conn.execute(
            f"INSERT INTO {table} (key, guild_id, {', '.join(names)}) "
            f"VALUES (?, ?, {', '.join('?' for _ in names)})", (key, guild_id, *(values[n] for n in names)))
        return int(cursor.lastrowid), True
    conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                 (*(values[n] for n in names), row[0]))
    return int(row[0]), False


def _replace_facts(conn: sqlite3.Connection, column: str, entry_id: int, facts: list[dict],
                   source_ids: dict[str, int]) -> None:
    conn.execute(f"DELETE FROM facts WHERE {column} = ?", (entry_id,))
    conn.executemany(
        f"INSERT INTO facts ({column}, kind, text, text_ko, source_id, position) VALUES (?, ?, ?, ?, ?, ?)",
        [(entry_id, f["kind"], f["text"], f.get("text_ko"), source_ids[f["source"]], i) for i, f in enumerate(facts)])


def _replace_sources(conn: sqlite3.Connection, kind: str, entry_id: int, keys: list[str],
                     source_ids: dict[str, int]) -> None:
    conn.execute("DELETE FROM entry_sources WHERE kind = ? AND entry_id = ?", (kind, entry_id))
    conn.executemany("INSERT INTO entry_sources (kind, entry_id, source_id) VALUES (?, ?, ?)",
                     [(kind, entry_id, source_ids[k]) for k in keys])


def _write_song_children(conn: sqlite3.Connection, song_id: int, title: str, hangul: str | None,
                         alt_titles: Iterable[str], credits: list[tuple[int, str]],
                         styles: Iterable[str], moods: Iterable[str]) -> None:
    _replace_names(conn, "song_titles", "song_id", song_id, title, [*([hangul] if hangul else []), *alt_titles])
    conn.execute("DELETE FROM song_artists WHERE song_id = ?", (song_id,))
    conn.executemany("INSERT OR IGNORE INTO song_artists (song_id, artist_id, role, position) VALUES (?, ?, ?, ?)",
                     [(song_id, artist_id, role, i) for i, (artist_id, role) in enumerate(credits)])
    conn.execute("DELETE FROM song_tags WHERE song_id = ?", (song_id,))
    conn.executemany("INSERT OR IGNORE INTO song_tags (song_id, kind, tag) VALUES (?, ?, ?)",
                     [(song_id, "style", t) for t in styles] + [(song_id, "mood", t) for t in moods])


_REINDEX = f"""
INSERT INTO song_search (rowid, title, artists, drama, description, tags)
SELECT s.id,
       (SELECT group_concat(name, ' | ') FROM song_titles WHERE song_id = s.id),
       (SELECT group_concat(name, ' | ') FROM artist_names WHERE artist_id IN (
            SELECT artist_id FROM song_artists WHERE song_id = s.id
            UNION SELECT group_id FROM artist_groups WHERE member_id IN
                (SELECT artist_id FROM song_artists WHERE song_id = s.id))),
       (SELECT group_concat(name, ' | ') FROM drama_names WHERE drama_id = s.drama_id),
       s.description,
       (SELECT group_concat(tag, ' ') FROM song_tags WHERE song_id = s.id)
FROM songs s WHERE s.id IN ({IDS})
"""


def reindex_songs(conn: sqlite3.Connection, song_ids: Sequence[int]) -> None:
    ids = json.dumps(list(song_ids))
    conn.execute(f"DELETE FROM song_search WHERE rowid IN ({IDS})", {"ids": ids})
    conn.execute(_REINDEX, {"ids": ids})


def _sync_seed(conn: sqlite3.Connection, catalog: SeedCatalog) -> SeedReport:
    source_ids: dict[str, int] = {}
    for s in catalog.sources:
        conn.execute(
            "INSERT INTO sources (key, title, publisher, author, published, note, about, about_ko) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET title = excluded.title, publisher = excluded.publisher, "
            "author = excluded.author, published = excluded.published, note = excluded.note, "
            "about = excluded.about, about_ko = excluded.about_ko",
            (s["key"], s.get("title", ""), s.get("publisher"), s.get("author"),
             str(s["date"]) if s.get("date") else None, s.get("note"), s.get("about"), s.get("about_ko")))
        source_ids[s["key"]] = conn.execute("SELECT id FROM sources WHERE key = ?", (s["key"],)).fetchone()[0]

    drama_ids: dict[str, int] = {}
    for d in catalog.dramas:
        drama_id, _ = _upsert(conn, "dramas", None, d["key"], {
            "origin": "seed", "name": d["name"], "hangul": d.get("hangul"), "year": d.get("year"),
            "network": d.get("network"), "kind": d.get("kind", "drama"),
            "lead_actors": json.dumps(d.get("lead_actors", []), ensure_ascii=False)})
        drama_ids[d["key"]] = drama_id
        _replace_names(conn, "drama_names", "drama_id", drama_id, d["name"],
                       [*([d["hangul"]] if d.get("hangul") else []), *d.get("names", [])])
        _replace_facts(conn, "drama_id", drama_id, d.get("facts", []), source_ids)
        _replace_sources(conn, "drama", drama_id, d["sources"], source_ids)
    _sync_actors(conn, catalog.actors, {d["key"]: d.get("lead_actors", []) for d in catalog.dramas}, drama_ids)

    artist_ids: dict[str, int] = {}
    for a in catalog.artists:
        artist_id, _ = _upsert(conn, "artists", None, a["key"], {
            "origin": "seed", "name": a["name"], "hangul": a.get("hangul"), "kind": a["kind"]})
        artist_ids[a["key"]] = artist_id
        _replace_names(conn, "artist_names", "artist_id", artist_id, a["name"],
                       [*([a["hangul"]] if a.get("hangul") else []), *a.get("names", [])])
        _replace_facts(conn, "artist_id", artist_id, a.get("facts", []), source_ids)
        _replace_sources(conn, "artist", artist_id, a["sources"], source_ids)
    for a in catalog.artists:
        conn.execute("DELETE FROM artist_groups WHERE member_id = ?", (artist_ids[a["key"]],))
        conn.executemany("INSERT INTO artist_groups (member_id, group_id) VALUES (?, ?)",
                         [(artist_ids[a["key"]], artist_ids[g]) for g in a.get("groups", [])])

    song_ids: list[int] = []
    for s in catalog.songs:
        song_id, _ = _upsert(conn, "songs", None, s["key"], {
            "origin": "seed", "title": s["title"], "hangul": s.get("hangul"),
            "drama_id": drama_ids[s["drama"]], "year": s.get("year"),
            "release_date": str(s["release_date"]) if s.get("release_date") else None,
            "episode": s.get("episode"), "description": s["description"],
            "description_ko": s.get("description_ko"), "is_ballad": int(s["ballad"])})
        song_ids.append(song_id)
        _write_song_children(conn, song_id, s["title"], s.get("hangul"), s.get("titles", []),
                             [(artist_ids[c["artist"]], c.get("role", "main")) for c in s["artists"]],
                             s["styles"], s["moods"])
        _replace_facts(conn, "song_id", song_id, s.get("facts", []), source_ids)
        _replace_sources(conn, "song", song_id, s["sources"], source_ids)

    # Shipped entries dropped from the file go; nothing a server or an import added is touched.
    keep = json.dumps(song_ids)
    removed = conn.execute(
        "DELETE FROM songs WHERE origin = 'seed' AND id NOT IN (SELECT value FROM json_each(?))", (keep,)
    ).rowcount
    for table, kept in (("dramas", drama_ids), ("artists", artist_ids)):
        ref = ("SELECT drama_id FROM songs" if table == "dramas" else
               "SELECT artist_id FROM song_artists UNION SELECT group_id FROM artist_groups")
        conn.execute(f"DELETE FROM {table} WHERE origin = 'seed' AND id NOT IN "
                     f"(SELECT value FROM json_each(?)) AND id NOT IN ({ref})", (json.dumps(list(kept.values())),))
    # Songs of other origins that use a shipped drama or artist carry its names in the index too.
    affected = [r[0] for r in conn.execute(
        "SELECT id FROM songs WHERE origin = 'seed' OR drama_id IN (SELECT id FROM dramas WHERE origin = 'seed') "
        "OR id IN (SELECT song_id FROM song_artists WHERE artist_id IN "
        "(SELECT id FROM artists WHERE origin = 'seed'))")]
    reindex_songs(conn, affected)
    for key, value in (("catalog_digest", catalog.digest), ("catalog_version", str(catalog.version))):
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    return SeedReport(True, len(song_ids), len(drama_ids), len(artist_ids), removed)


def _sync_actors(conn: sqlite3.Connection, actors: list[dict], leads: dict[str, list[str]],
                 drama_ids: dict[str, int]) -> None:
    """The seed's actors (upserted by key, dropped when gone from the file) and, per drama, the
    actors its `lead_actors` name, in that order. Actors are shipped entries only."""
    actor_ids: dict[str, int] = {}
    for a in actors:
        conn.execute("INSERT INTO actors (key, name, hangul) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
                     "SET name = excluded.name, hangul = excluded.hangul", (a["key"], a["name"], a.get("hangul")))
        actor_id = conn.execute("SELECT id FROM actors WHERE key = ?", (a["key"],)).fetchone()[0]
        _replace_names(conn, "actor_names", "actor_id", actor_id, a["name"],
                       [*([a["hangul"]] if a.get("hangul") else []), *a.get("names", [])])
        for name in (a["name"], *a.get("names", [])):
            actor_ids[compact(name)] = actor_id
    conn.execute("DELETE FROM actors WHERE key NOT IN (SELECT value FROM json_each(?))",
                 (json.dumps([a["key"] for a in actors]),))
    for drama_key, names in leads.items():
        drama_id = drama_ids[drama_key]
        conn.execute("DELETE FROM drama_actors WHERE drama_id = ?", (drama_id,))
        conn.executemany("INSERT OR IGNORE INTO drama_actors (drama_id, actor_id, position) VALUES (?, ?, ?)",
                         [(drama_id, actor_ids[compact(n)], i) for i, n in enumerate(names) if compact(n) in actor_ids])


def _resolver(conn: sqlite3.Connection, table: str, guild_id: int | None) -> dict[str, int]:
    """Name (compact) -> id for entries a server can see; the shipped entry wins a tie."""
    names_table, column = ("drama_names", "drama_id") if table == "dramas" else ("artist_names", "artist_id")
    rows = conn.execute(
        f"SELECT n.norm, e.id FROM {names_table} n JOIN {table} e ON e.id = n.{column} "
        f"WHERE e.guild_id IS NULL OR e.guild_id = ? ORDER BY e.guild_id IS NULL, n.is_main", (guild_id,))
    return {norm: entry_id for norm, entry_id in rows}


def _sync_import(conn: sqlite3.Connection, records: list[SongRecord], guild_id: int | None,
                 origin: str, added_by: int | None) -> ImportReport:
    dramas = _resolver(conn, "dramas", guild_id)
    artists = _resolver(conn, "artists", guild_id)

    def resolve(table: str, cache: dict[str, int], name: str) -> int:
        norm = compact(name)
        if norm not in cache:
            names_table, column = ("drama_names", "drama_id") if table == "dramas" else ("artist_names", "artist_id")
            entry_id, _ = _upsert(conn, table, guild_id, make_slug(name), {"origin": origin, "name": name})
            _replace_names(conn, names_table, column, entry_id, name, [])
            cache[norm] = entry_id
        return cache[norm]

    added = updated = 0
    ids: list[int] = []
    for r in records:
        drama_id = resolve("dramas", dramas, r.drama)
        credits = [(resolve("artists", artists, name), "main" if i == 0 else "duet")
                   for i, name in enumerate(r.artists)]
        owner, owner_params = owner_clause(guild_id)
        existing = conn.execute(f"SELECT origin FROM songs WHERE key = ? AND {owner}",
                                (r.slug(), *owner_params)).fetchone()
        song_id, created = _upsert(conn, "songs", guild_id, r.slug(), {
            "origin": existing[0] if existing else origin, "title": r.title, "hangul": r.hangul or None,
            "drama_id": drama_id, "year": r.year, "release_date": r.release_date or None,
            "description": r.description, "is_ballad": int(r.ballad), "added_by": added_by})
        _write_song_children(conn, song_id, r.title, r.hangul or None, r.alt_titles, credits, r.styles, r.moods)
        added += created
        updated += not created
        ids.append(song_id)
    reindex_songs(conn, ids)
    if len(records) >= 1000:
        conn.execute("PRAGMA optimize")  # fresh statistics after a bulk import keep plans index-driven
    return ImportReport(added, updated, tuple(ids))


# -- the repository --------------------------------------------------------------------

class CatalogRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Bumped by every catalog write in this process: caches built from the catalog
        # (the fuzzy-name index...) rebuild when it changes.
        self.generation = 0

    async def seed(self, catalog: SeedCatalog, *, force: bool = False) -> SeedReport:
        """Bring the shipped entries in line with the seed file; a no-op when it is unchanged."""
        if not force and await self._store.meta.get("catalog_digest") == catalog.digest:
            return SeedReport(changed=False)
        report = await self._store.write_sync(_sync_seed, catalog)
        self.generation += 1
        return report

    async def import_records(self, records: list[SongRecord], *, guild_id: int | None = None,
                             origin: str = "import", added_by: int | None = None) -> ImportReport:
        """Add or update songs from flat records, all in one transaction."""
        report = await self._store.write_sync(_sync_import, records, guild_id, origin, added_by)
        self.generation += 1
        return report

    async def counts(self, guild_id: int | None = None) -> CatalogCounts:
        params = {"guild": guild_id}
        songs = await self._store.fetchval(f"SELECT count(*) FROM songs s WHERE {VISIBLE_SONG}", params, 0)
        dramas = await self._store.fetchval(
            f"SELECT count(*) FROM dramas d WHERE {VISIBLE_ENTRY.format(alias='d')}", params, 0)
        artists = await self._store.fetchval(
            f"SELECT count(*) FROM artists a WHERE {VISIBLE_ENTRY.format(alias='a')}", params, 0)
        sources = await self._store.fetchval("SELECT count(*) FROM sources", (), 0)
        guild_songs = 0
        if guild_id is not None:
            guild_songs = await self._store.fetchval(
                "SELECT count(*) FROM songs WHERE guild_id = ?", (guild_id,), 0)
        return CatalogCounts(songs, dramas, artists, sources, guild_songs)

    async def sources(self) -> list[Source]:
        rows = await self._store.fetchall("SELECT * FROM sources ORDER BY id")
        return [_source(r) for r in rows]

    async def visible_song_ids(self, guild_id: int | None) -> list[int]:
        rows = await self._store.fetchall(f"SELECT s.id FROM songs s WHERE {VISIBLE_SONG} ORDER BY s.id",
                                          {"guild": guild_id})
        return [r[0] for r in rows]

    async def actors_by_ids(self, ids: Iterable[int]) -> list[Actor]:
        """Actors with the ids of the dramas they lead (every server sees every actor; the cards
        keep only the dramas a server can see)."""
        return await self._store.read_sync(_actors_by_ids, list(ids))

    async def drama_with_songs(self, drama_id: int, guild_id: int | None) -> tuple[Drama, list[Song]] | None:
        """A drama card's data (the drama and its songs, in episode order), read in one go."""
        return await self._store.read_sync(_with_songs, _dramas_by_ids, _song_ids_for_drama, drama_id, guild_id)

    async def artist_with_songs(self, artist_id: int, guild_id: int | None) -> tuple[Artist, list[Song]] | None:
        """An artist card's data (the artist and the songs they or their members sing), in one go."""
        return await self._store.read_sync(_with_songs, _artists_by_ids, _song_ids_for_artist, artist_id, guild_id)

    async def song_by_key(self, key: str, guild_id: int | None = None) -> Song | None:
        song_id = await self._store.fetchval(
            f"SELECT s.id FROM songs s WHERE s.key = :key AND {VISIBLE_SONG} ORDER BY s.guild_id IS NULL",
            {"key": key, "guild": guild_id})
        return (await self.songs_by_ids([song_id]))[0] if song_id else None

    # -- hydration ---------------------------------------------------------------------
    # Each hydration is a dozen small queries: they run together on the store's read thread
    # (`Store.read_sync`), one thread hop in all, instead of one hop per query.

    async def dramas_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Drama]:
        return await self._store.read_sync(_dramas_by_ids, list(ids), guild_id)

    async def artists_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Artist]:
        return await self._store.read_sync(_artists_by_ids, list(ids), guild_id)

    async def songs_by_ids(self, ids: Iterable[int], guild_id: int | None = None) -> list[Song]:
        """Full songs, in the order of `ids` (unknown ids are skipped)."""
        return await self._store.read_sync(_songs_by_ids, list(ids), guild_id)

    async def export_records(self, guild_id: int | None = None) -> list[SongRecord]:
        """guild None: the shared catalog (shipped and imported); else that server's additions."""
        owner, owner_params = owner_clause(guild_id)
        rows = await self._store.fetchall(f"SELECT id FROM songs WHERE {owner} ORDER BY id", owner_params)
        songs = await self.songs_by_ids([r[0] for r in rows], guild_id)
        return [SongRecord(
            key=s.key, title=s.title, hangul=s.hangul or "", alt_titles=list(s.alt_titles),
            artists=[c.name for c in s.credits], drama=s.drama.name, year=s.year,
            release_date=s.release_date or "", description=s.description, styles=list(s.styles),
            moods=list(s.moods), ballad=s.is_ballad) for s in songs]



# -- hydration (synchronous, on the store's read thread) -------------------------------------

def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def _facts_and_sources(conn: sqlite3.Connection, kind: str, column: str, ids: list[int]
                       ) -> tuple[dict[int, list[Fact]], dict[int, list[Source]]]:
    params = {"ids": json.dumps(ids)}
    facts: dict[int, list[Fact]] = defaultdict(list)
    for r in _rows(conn, f"SELECT f.{column} AS owner, f.kind AS fact_kind, f.text AS fact_text, "
                         f"f.text_ko AS fact_text_ko, src.* FROM facts f "
                         f"JOIN sources src ON src.id = f.source_id WHERE f.{column} IN ({IDS}) ORDER BY f.position",
                   params):
        facts[r["owner"]].append(Fact(r["fact_kind"], r["fact_text"], _source(r), r["fact_text_ko"]))
    sources: dict[int, list[Source]] = defaultdict(list)
    for r in _rows(conn, f"SELECT es.entry_id AS owner, src.* FROM entry_sources es JOIN sources src "
                         f"ON src.id = es.source_id WHERE es.kind = :kind AND es.entry_id IN ({IDS}) ORDER BY src.id",
                   {**params, "kind": kind}):
        sources[r["owner"]].append(_source(r))
    return facts, sources


def _alt_names(conn: sqlite3.Connection, table: str, column: str, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for r in _rows(conn, f"SELECT {column}, name FROM {table} WHERE is_main = 0 AND {column} IN ({IDS}) "
                         "ORDER BY rowid", {"ids": json.dumps(ids)}):
        out[r[0]].append(r[1])
    return out


def _dramas_by_ids(conn: sqlite3.Connection, ids: list[int], guild_id: int | None) -> list[Drama]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    params = {"ids": json.dumps(ids), "guild": guild_id}
    rows = _rows(conn, f"SELECT d.*, (SELECT count(*) FROM songs s WHERE s.drama_id = d.id AND {VISIBLE_SONG}) AS n "
                       f"FROM dramas d WHERE d.id IN ({IDS})", params)
    alt = _alt_names(conn, "drama_names", "drama_id", ids)
    facts, sources = _facts_and_sources(conn, "drama", "drama_id", ids)
    actors = _actors_of_dramas(conn, ids)
    by_id = {r["id"]: Drama(
        id=r["id"], key=r["key"], name=r["name"], hangul=r["hangul"],
        alt_names=tuple(n for n in alt[r["id"]] if n != r["hangul"]), year=r["year"], network=r["network"],
        kind=r["kind"], lead_actors=tuple(json.loads(r["lead_actors"])), facts=tuple(facts[r["id"]]),
        sources=tuple(sources[r["id"]]), guild_id=r["guild_id"], song_count=r["n"],
        actors=tuple(actors[r["id"]])) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _actors_by_ids(conn: sqlite3.Connection, ids: list[int]) -> list[Actor]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    params = {"ids": json.dumps(ids)}
    alt = _alt_names(conn, "actor_names", "actor_id", ids)
    dramas: dict[int, list[int]] = defaultdict(list)
    for r in _rows(conn, f"SELECT actor_id, drama_id FROM drama_actors WHERE actor_id IN ({IDS}) "
                         "ORDER BY drama_id", params):
        dramas[r[0]].append(r[1])
    rows = _rows(conn, f"SELECT id, key, name, hangul FROM actors WHERE id IN ({IDS})", params)
    by_id = {r["id"]: Actor(r["id"], r["key"], r["name"], r["hangul"],
                            tuple(n for n in alt[r["id"]] if n != r["hangul"]), tuple(dramas[r["id"]]))
             for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _actors_of_dramas(conn: sqlite3.Connection, drama_ids: list[int]) -> dict[int, list[Actor]]:
    links = _rows(conn, f"SELECT drama_id, actor_id FROM drama_actors WHERE drama_id IN ({IDS}) ORDER BY position",
                  {"ids": json.dumps(drama_ids)})
    actors = {a.id: a for a in _actors_by_ids(conn, [r[1] for r in links])}
    out: dict[int, list[Actor]] = defaultdict(list)
    for drama_id, actor_id in links:
        if actor_id in actors:
            out[drama_id].append(actors[actor_id])
    return out


def _artists_by_ids(conn: sqlite3.Connection, ids: list[int], guild_id: int | None) -> list[Artist]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    params = {"ids": json.dumps(ids), "guild": guild_id}
    rows = _rows(conn, f"SELECT a.*, {ARTIST_SONG_COUNT} AS n FROM artists a WHERE a.id IN ({IDS})", params)
    alt = _alt_names(conn, "artist_names", "artist_id", ids)
    groups: dict[int, list[str]] = defaultdict(list)
    members: dict[int, list[str]] = defaultdict(list)
    hangul: dict[str, str] = {}
    for r in _rows(conn, f"SELECT ag.member_id, m.name AS member, m.hangul AS member_ko, ag.group_id, g.name AS grp, "
                         f"g.hangul AS grp_ko FROM artist_groups ag "
                         f"JOIN artists m ON m.id = ag.member_id JOIN artists g ON g.id = ag.group_id "
                         f"WHERE ag.member_id IN ({IDS}) OR ag.group_id IN ({IDS}) ORDER BY g.id, m.id", params):
        groups[r["member_id"]].append(r["grp"])
        members[r["group_id"]].append(r["member"])
        hangul.update({r["grp"]: r["grp_ko"] or r["grp"], r["member"]: r["member_ko"] or r["member"]})
    facts, sources = _facts_and_sources(conn, "artist", "artist_id", ids)
    by_id = {r["id"]: Artist(
        id=r["id"], key=r["key"], name=r["name"], kind=r["kind"], hangul=r["hangul"],
        alt_names=tuple(n for n in alt[r["id"]] if n != r["hangul"]), groups=tuple(groups[r["id"]]),
        members=tuple(members[r["id"]]), facts=tuple(facts[r["id"]]), sources=tuple(sources[r["id"]]),
        guild_id=r["guild_id"], song_count=r["n"], related_hangul=hangul) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _songs_by_ids(conn: sqlite3.Connection, ids: list[int], guild_id: int | None) -> list[Song]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    params = {"ids": json.dumps(ids)}
    rows = _rows(conn, f"SELECT * FROM songs WHERE id IN ({IDS})", params)
    dramas = {d.id: d for d in _dramas_by_ids(conn, list({r["drama_id"]: None for r in rows}), guild_id)}
    credits: dict[int, list[Credit]] = defaultdict(list)
    credit_rows = _rows(conn, f"SELECT sa.song_id, sa.role, a.id, a.key, a.name, a.hangul FROM song_artists sa "
                              f"JOIN artists a ON a.id = sa.artist_id WHERE sa.song_id IN ({IDS}) ORDER BY sa.position",
                        params)
    artist_ids = json.dumps(sorted({r["id"] for r in credit_rows}))
    groups: dict[int, list[str]] = defaultdict(list)
    groups_ko: dict[int, list[str]] = defaultdict(list)
    for r in _rows(conn, f"SELECT ag.member_id, g.name, g.hangul FROM artist_groups ag JOIN artists g "
                         f"ON g.id = ag.group_id WHERE ag.member_id IN ({IDS}) ORDER BY g.kind = 'subunit', g.id",
                   {"ids": artist_ids}):
        groups[r[0]].append(r[1])
        groups_ko[r[0]].append(r[2] or r[1])
    for r in credit_rows:
        credits[r["song_id"]].append(Credit(r["id"], r["key"], r["name"], r["role"], r["hangul"],
                                            tuple(groups[r["id"]]), tuple(groups_ko[r["id"]])))
    alt = _alt_names(conn, "song_titles", "song_id", ids)
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"style": [], "mood": []})
    for r in _rows(conn, f"SELECT song_id, kind, tag FROM song_tags WHERE song_id IN ({IDS}) ORDER BY rowid", params):
        tags[r[0]][r[1]].append(r[2])
    facts, sources = _facts_and_sources(conn, "song", "song_id", ids)
    by_id = {}
    for r in rows:
        by_id[r["id"]] = Song(
            id=r["id"], key=r["key"], title=r["title"], drama=dramas[r["drama_id"]],
            credits=tuple(credits[r["id"]]), description=r["description"], hangul=r["hangul"],
            alt_titles=tuple(n for n in alt[r["id"]] if n != r["hangul"]), year=r["year"],
            release_date=r["release_date"], episode=r["episode"], styles=tuple(tags[r["id"]]["style"]),
            moods=tuple(tags[r["id"]]["mood"]), is_ballad=bool(r["is_ballad"]), facts=tuple(facts[r["id"]]),
            sources=tuple(sources[r["id"]]), guild_id=r["guild_id"], description_ko=r["description_ko"])
    return [by_id[i] for i in ids if i in by_id]


def _song_ids_for_drama(conn: sqlite3.Connection, drama_id: int, guild_id: int | None) -> list[int]:
    rows = _rows(conn, f"SELECT s.id FROM songs s WHERE s.drama_id = :drama AND {VISIBLE_SONG} "
                       "ORDER BY coalesce(s.episode, 999), s.id", {"drama": drama_id, "guild": guild_id})
    return [r[0] for r in rows]


def _song_ids_for_artist(conn: sqlite3.Connection, artist_id: int, guild_id: int | None) -> list[int]:
    rows = _rows(conn, ARTIST_FAMILY.format(start=":artist") +
                       "SELECT DISTINCT s.id FROM songs s JOIN song_artists sa ON sa.song_id = s.id "
                       f"WHERE sa.artist_id IN (SELECT id FROM who) AND {VISIBLE_SONG} ORDER BY s.id",
                 {"artist": artist_id, "guild": guild_id})
    return [r[0] for r in rows]


def _with_songs(conn: sqlite3.Connection, load: Callable[..., list[Any]], song_ids: Callable[..., list[int]],
                entry_id: int, guild_id: int | None) -> tuple[Any, list[Song]] | None:
    """An entry (by `load`) and its songs (by `song_ids`), or None when the entry is gone."""
    entries = load(conn, [entry_id], guild_id)
    if not entries:
        return None
    return entries[0], _songs_by_ids(conn, song_ids(conn, entry_id, guild_id), guild_id)


def _source(row: sqlite3.Row) -> Source:
    return Source(key=row["key"], title=row["title"], publisher=row["publisher"], author=row["author"],
                  date=row["published"], note=row["note"], about=row["about"], about_ko=row["about_ko"])
