"""Reading catalog entries into models: five readers (actors, dramas, artists, songs, song outlines).

Each reader lists its queries (all independent of each other, keyed by the requested ids or a
sub-query of them) and builds models from their rows: one `fetch_many`, one trip.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from ..catalog.models import Actor, Artist, Credit, Drama, Fact, Song, Source
from .engine import Batches, Dialect, Query, Row, ids_param
from .visibility import VISIBLE_SONG, artist_song_count

# A song's first MusicBrainz recording (its card links to it), as a column of the songs' row.
_RECORDING = "(SELECT min(r.mbid) FROM song_recordings r WHERE r.song_id = s.id) AS recording_mbid"


def _facts_queries(d: Dialect, kind: str, column: str, owners: str, params: dict[str, Any]) -> list[Query]:
    return [
        (f"SELECT f.{column} AS owner, f.kind AS fact_kind, f.text AS fact_text, f.text_ko AS fact_text_ko, "
         f"src.* FROM facts f "
         f"JOIN sources src ON src.id = f.source_id WHERE f.{column} IN ({owners}) ORDER BY f.position", params),
        (f"SELECT es.entry_id AS owner, src.* FROM entry_sources es JOIN sources src ON src.id = es.source_id "
         f"WHERE es.kind = '{kind}' AND es.entry_id IN ({owners}) ORDER BY src.id", params),
    ]


def _facts_build(fact_rows: list[Row], source_rows: list[Row]) -> tuple[dict[int, list[Fact]], dict[int, list[Source]]]:
    facts: dict[int, list[Fact]] = defaultdict(list)
    for r in fact_rows:
        facts[r["owner"]].append(Fact(r["fact_kind"], r["fact_text"], source_from_row(r), r["fact_text_ko"]))
    sources: dict[int, list[Source]] = defaultdict(list)
    for r in source_rows:
        sources[r["owner"]].append(source_from_row(r))
    return facts, sources


def _alt_query(table: str, column: str, owners: str, params: dict[str, Any]) -> Query:
    return f"SELECT {column}, name FROM {table} WHERE is_main = 0 AND {column} IN ({owners}) ORDER BY rowid", params


def _alt_build(rows: list[Row]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(r[1])
    return out


class _ActorReader:
    """Actors with the ids of the dramas they lead (shipped entries only: every server sees every
    actor; the cards keep only the dramas a server can see)."""

    QUERIES = 3

    def __init__(self, d: Dialect) -> None:
        self.d = d

    def queries(self, ids: list[int], owners: str | None = None, params: dict[str, Any] | None = None) -> list[Query]:
        """`owners`: a sub-query of the actors' ids (default: the `ids` themselves)."""
        if owners is None:
            owners, params = self.d.ids("ids"), {"ids": ids_param(dict.fromkeys(ids))}
        params = params or {}
        return [
            (f"SELECT id, key, name, hangul FROM actors WHERE id IN ({owners})", params),
            _alt_query("actor_names", "actor_id", owners, params),
            (f"SELECT actor_id, drama_id FROM drama_actors WHERE actor_id IN ({owners}) ORDER BY drama_id", params),
        ]

    def build(self, ids: list[int] | None, rows: list[list[Row]]) -> list[Actor]:
        entries, alt_rows, drama_rows = rows
        alt = _alt_build(alt_rows)
        dramas: dict[int, list[int]] = defaultdict(list)
        for r in drama_rows:
            dramas[r[0]].append(r[1])
        by_id = {r["id"]: Actor(r["id"], r["key"], r["name"], r["hangul"],
                                tuple(n for n in alt[r["id"]] if n != r["hangul"]), tuple(dramas[r["id"]]))
                 for r in entries}
        return list(by_id.values()) if ids is None else [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def read(self, r: Batches, ids: list[int]) -> list[Actor]:
        if not ids:
            return []
        return self.build(ids, await r.fetch_many(self.queries(ids)))


class DramaReader:
    QUERIES = 5 + _ActorReader.QUERIES
    OUTLINE_QUERIES = 2

    def __init__(self, d: Dialect) -> None:
        self.d = d
        self.actors = _ActorReader(d)

    def queries(self, ids: list[int], guild_id: int | None, owners: str | None = None,
                params: dict[str, Any] | None = None, *, outline: bool = False) -> list[Query]:
        """`owners`: a sub-query of the dramas' ids (default: the `ids` themselves). `outline`: the
        drama's row and names only (song_count 0, no facts, sources or actor entries): what a song
        card shows of its drama, in 2 queries instead of 8."""
        if owners is None:
            owners, params = self.d.ids("ids"), {"ids": ids_param(dict.fromkeys(ids))}
        params = {**(params or {}), "guild": guild_id}
        if outline:
            return [(f"SELECT d.*, 0 AS n FROM dramas d WHERE d.id IN ({owners})", params),
                    _alt_query("drama_names", "drama_id", owners, params)]
        return [
            (f"SELECT d.*, (SELECT count(*) FROM songs s WHERE s.drama_id = d.id AND {VISIBLE_SONG}) AS n "
             f"FROM dramas d WHERE d.id IN ({owners})", params),
            _alt_query("drama_names", "drama_id", owners, params),
            *_facts_queries(self.d, "drama", "drama_id", owners, params),
            # The lead actors known as catalog entries, in billing order.
            (f"SELECT drama_id, actor_id FROM drama_actors WHERE drama_id IN ({owners}) "
             "ORDER BY drama_id, position", params),
            *self.actors.queries([], f"SELECT actor_id FROM drama_actors WHERE drama_id IN ({owners})", params),
        ]

    def build(self, ids: list[int] | None, rows: list[list[Row]]) -> list[Drama]:
        """From the rows of `queries` (an outline's two, or all of them)."""
        padded: list[list[Row]] = [*rows, *([] for _ in range(self.QUERIES - len(rows)))]  # an outline's: empty
        entries, alt_rows, fact_rows, source_rows, link_rows, *actor_rows = padded
        alt = _alt_build(alt_rows)
        facts, sources = _facts_build(fact_rows, source_rows)
        known = {a.id: a for a in self.actors.build(None, actor_rows)}
        actors: dict[int, list[Actor]] = defaultdict(list)
        for drama_id, actor_id in link_rows:
            if actor_id in known:
                actors[drama_id].append(known[actor_id])
        by_id = {r["id"]: Drama(
            id=r["id"], key=r["key"], name=r["name"], hangul=r["hangul"],
            alt_names=tuple(n for n in alt[r["id"]] if n != r["hangul"]), year=r["year"], network=r["network"],
            kind=r["kind"], lead_actors=tuple(json.loads(r["lead_actors"])), facts=tuple(facts[r["id"]]),
            sources=tuple(sources[r["id"]]), guild_id=r["guild_id"], song_count=r["n"],
            actors=tuple(actors[r["id"]]), cover_url=r["cover_url"]) for r in entries}
        return list(by_id.values()) if ids is None else [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def read(self, r: Batches, ids: list[int], guild_id: int | None) -> list[Drama]:
        if not ids:
            return []
        return self.build(ids, await r.fetch_many(self.queries(ids, guild_id)))


class _ArtistReader:
    def __init__(self, d: Dialect) -> None:
        self.d = d

    def queries(self, ids: list[int], guild_id: int | None, *, outline: bool = False) -> list[Query]:
        """`outline`: names, groups and members only (no song count, facts or sources): what the quiz
        needs of a singer, without the song count that PostgreSQL plans badly."""
        owners = self.d.ids("ids")
        params = {"ids": ids_param(dict.fromkeys(ids)), "guild": guild_id}
        count = "0" if outline else artist_song_count(self.d)
        return [
            (f"SELECT a.*, {count} AS n FROM artists a WHERE a.id IN ({owners})", params),
            _alt_query("artist_names", "artist_id", owners, params),
            (f"SELECT ag.member_id, m.name AS member, m.hangul AS member_ko, ag.group_id, g.name AS grp, "
             f"g.hangul AS grp_ko FROM artist_groups ag "
             f"JOIN artists m ON m.id = ag.member_id JOIN artists g ON g.id = ag.group_id "
             f"WHERE ag.member_id IN ({owners}) OR ag.group_id IN ({owners}) ORDER BY g.id, m.id", params),
            *(() if outline else _facts_queries(self.d, "artist", "artist_id", owners, params)),
        ]

    def build(self, ids: list[int], rows: list[list[Row]]) -> list[Artist]:
        entries, alt_rows, group_rows, fact_rows, source_rows = rows if len(rows) == 5 else [*rows, [], []]
        alt = _alt_build(alt_rows)
        groups: dict[int, list[str]] = defaultdict(list)
        members: dict[int, list[str]] = defaultdict(list)
        hangul: dict[str, str] = {}
        for r in group_rows:
            groups[r["member_id"]].append(r["grp"])
            members[r["group_id"]].append(r["member"])
            hangul.update({r["grp"]: r["grp_ko"] or r["grp"], r["member"]: r["member_ko"] or r["member"]})
        facts, sources = _facts_build(fact_rows, source_rows)
        by_id = {r["id"]: Artist(
            id=r["id"], key=r["key"], name=r["name"], kind=r["kind"], hangul=r["hangul"],
            alt_names=tuple(n for n in alt[r["id"]] if n != r["hangul"]), groups=tuple(groups[r["id"]]),
            members=tuple(members[r["id"]]), facts=tuple(facts[r["id"]]), sources=tuple(sources[r["id"]]),
            guild_id=r["guild_id"], song_count=r["n"], related_hangul=hangul) for r in entries}
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def read(self, r: Batches, ids: list[int], guild_id: int | None, *, outline: bool = False) -> list[Artist]:
        if not ids:
            return []
        return self.build(ids, await r.fetch_many(self.queries(ids, guild_id, outline=outline)))


class _SongReader:
    def __init__(self, d: Dialect, dramas: DramaReader) -> None:
        self.d = d
        self.dramas = dramas

    def queries(self, ids: list[int], guild_id: int | None, owners: str | None = None,
                params: dict[str, Any] | None = None, *, dramas: bool = True,
                drama_outline: bool = False) -> list[Query]:
        """`owners`: a sub-query of the songs' ids, with its `params` (default: the `ids` themselves).
        `dramas=False`: the songs' drama is read elsewhere (a drama card's songs), and given to `build`.
        `drama_outline`: each song's drama as an outline (see `DramaReader.queries`)."""
        if owners is None:
            owners, params = self.d.ids("ids"), {"ids": ids_param(dict.fromkeys(ids))}
        params = params or {}
        credited = f"SELECT artist_id FROM song_artists WHERE song_id IN ({owners})"
        drama_queries = self.dramas.queries([], guild_id, f"SELECT drama_id FROM songs WHERE id IN ({owners})",
                                            params, outline=drama_outline) if dramas else []
        return [
            (f"SELECT s.*, {_RECORDING} FROM songs s WHERE s.id IN ({owners})", params),
            *drama_queries,
            (f"SELECT sa.song_id, sa.role, a.id, a.key, a.name, a.hangul FROM song_artists sa "
             f"JOIN artists a ON a.id = sa.artist_id WHERE sa.song_id IN ({owners}) ORDER BY sa.position", params),
            (f"SELECT ag.member_id, g.name, g.hangul FROM artist_groups ag JOIN artists g ON g.id = ag.group_id "
             f"WHERE ag.member_id IN ({credited}) ORDER BY g.kind = 'subunit', g.id", params),
            _alt_query("song_titles", "song_id", owners, params),
            (f"SELECT song_id, kind, tag FROM song_tags WHERE song_id IN ({owners}) ORDER BY rowid", params),
            *_facts_queries(self.d, "song", "song_id", owners, params),
        ]

    def build(self, ids: list[int], rows: list[list[Row]], drama: Drama | None = None, *,
              drama_outline: bool = False) -> list[Song]:
        """`drama`: the songs' one drama, when their queries were made with `dramas=False`;
        `drama_outline` as given to `queries`."""
        song_rows, *rest = rows
        if drama is None:
            n = self.dramas.OUTLINE_QUERIES if drama_outline else self.dramas.QUERIES
            dramas = {d.id: d for d in self.dramas.build(None, rest[:n])}
            rest = rest[n:]
        else:
            known = drama
            dramas = defaultdict(lambda: known)
        credit_rows, group_rows, alt_rows, tag_rows, fact_rows, source_rows = rest
        groups: dict[int, list[str]] = defaultdict(list)
        groups_ko: dict[int, list[str]] = defaultdict(list)  # the same groups by their Hangul names where known
        for r in group_rows:
            groups[r[0]].append(r[1])
            groups_ko[r[0]].append(r[2] or r[1])
        credits: dict[int, list[Credit]] = defaultdict(list)
        for r in credit_rows:
            credits[r["song_id"]].append(Credit(r["id"], r["key"], r["name"], r["role"], r["hangul"],
                                                tuple(groups[r["id"]]), tuple(groups_ko[r["id"]])))
        alt = _alt_build(alt_rows)
        tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"style": [], "mood": []})
        for r in tag_rows:
            tags[r[0]][r[1]].append(r[2])
        facts, sources = _facts_build(fact_rows, source_rows)
        by_id = {}
        for r in song_rows:
            by_id[r["id"]] = Song(
                id=r["id"], key=r["key"], title=r["title"], drama=dramas[r["drama_id"]],
                credits=tuple(credits[r["id"]]), description=r["description"], hangul=r["hangul"],
                alt_titles=tuple(n for n in alt[r["id"]] if n != r["hangul"]), year=r["year"],
                release_date=r["release_date"], episode=r["episode"], styles=tuple(tags[r["id"]]["style"]),
                moods=tuple(tags[r["id"]]["mood"]), is_ballad=bool(r["is_ballad"]), facts=tuple(facts[r["id"]]),
                sources=tuple(sources[r["id"]]), guild_id=r["guild_id"], description_ko=r["description_ko"],
                cover_url=r["cover_url"], recording_mbid=r["recording_mbid"])
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def read(self, r: Batches, ids: list[int], guild_id: int | None, *,
                   drama_outline: bool = False) -> list[Song]:
        if not ids:
            return []
        # The ids are read once, as the batch's ids, instead of by each query (on PostgreSQL a JSON
        # parameter parsed by every one of the batch's 9 or 15 sub-queries: a tenth of its CPU).
        _ids, *rows = await r.fetch_many(
            self.queries([], guild_id, self.d.batch_ids(), {}, drama_outline=drama_outline),
            ids=(self.d.ids("ids"), {"ids": ids_param(dict.fromkeys(ids))}))
        return self.build(ids, rows, drama_outline=drama_outline)


class _OutlineReader:
    """Songs with only what tells them apart: titles, year, drama (full), credits (names, no groups);
    no description, tags, facts or sources. For the quiz's same-titled songs, which are many in a big
    catalog and are only checked against, never shown."""

    def __init__(self, d: Dialect, dramas: DramaReader) -> None:
        self.d = d
        self.dramas = dramas

    def queries(self, ids: list[int], guild_id: int | None) -> list[Query]:
        owners, params = self.d.ids("ids"), {"ids": ids_param(dict.fromkeys(ids))}
        # The dramas without their song counts, facts and sources (the two fact queries left out).
        _entries, alt, _facts, _sources, *actors = self.dramas.queries(
            [], guild_id, f"SELECT drama_id FROM songs WHERE id IN ({owners})", params)
        drama_ids = f"SELECT drama_id FROM songs WHERE id IN ({owners})"
        return [
            (f"SELECT id, key, title, hangul, year, release_date, drama_id, guild_id FROM songs WHERE id IN ({owners})",
             params),
            (f"SELECT d.*, 0 AS n FROM dramas d WHERE d.id IN ({drama_ids})", params), alt, *actors,
            (f"SELECT sa.song_id, sa.role, a.id, a.key, a.name, a.hangul FROM song_artists sa "
             f"JOIN artists a ON a.id = sa.artist_id WHERE sa.song_id IN ({owners}) ORDER BY sa.position", params),
            _alt_query("song_titles", "song_id", owners, params),
        ]

    def build(self, ids: list[int], rows: list[list[Row]]) -> list[Song]:
        song_rows, *rest = rows
        n = self.dramas.QUERIES - 2
        drama_rows, (credit_rows, alt_rows) = rest[:n], rest[n:]
        dramas = {d.id: d for d in self.dramas.build(None, [*drama_rows[:2], [], [], *drama_rows[2:]])}
        credits: dict[int, list[Credit]] = defaultdict(list)
        for r in credit_rows:
            credits[r["song_id"]].append(Credit(r["id"], r["key"], r["name"], r["role"], r["hangul"]))
        alt = _alt_build(alt_rows)
        by_id = {r["id"]: Song(
            id=r["id"], key=r["key"], title=r["title"], drama=dramas[r["drama_id"]], credits=tuple(credits[r["id"]]),
            description="", hangul=r["hangul"], alt_titles=tuple(n for n in alt[r["id"]] if n != r["hangul"]),
            year=r["year"], release_date=r["release_date"], guild_id=r["guild_id"]) for r in song_rows}
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def read(self, r: Batches, ids: list[int], guild_id: int | None) -> list[Song]:
        if not ids:
            return []
        return self.build(ids, await r.fetch_many(self.queries(ids, guild_id)))


class Reads:
    """The five readers, sharing the drama reader (songs read their drama with it)."""


    def __init__(self, d: Dialect) -> None:
        self.dramas = DramaReader(d)
        self.artists = _ArtistReader(d)
        self.songs = _SongReader(d, self.dramas)
        self.outlines = _OutlineReader(d, self.dramas)
        self.actors = self.dramas.actors


def source_from_row(row: Row) -> Source:
    return Source(key=row["key"], title=row["title"], publisher=row["publisher"], author=row["author"],
                  date=row["published"], note=row["note"], about=row["about"], about_ko=row["about_ko"],
                  url=row["url"])
