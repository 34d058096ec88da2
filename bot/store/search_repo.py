"""Look-up queries for /ost, /random and /recommend: names, full-text, labels, pools, tags.

Every query respects visibility (shipped entries plus the server's own, minus hidden songs)
and runs on an index: `norm` equality or range for names, FTS5 for words, ids for the rest.
User text reaches SQL only as bound parameters; FTS expressions come from
the dialect's `search_expression`, which quotes every word.
"""

from __future__ import annotations

import array
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from ..catalog.search import EXACT, KINDS, PREFIX, WORDS, Label, Match, NameEntry
from .engine import Row
from .visibility import VISIBLE_ENTRY, VISIBLE_SONG, artist_song_count

if TYPE_CHECKING:
    from .connection import Store

_NAME_TABLES = {
    "song": ("song_titles", "song_id", "songs", "s", VISIBLE_SONG),
    "drama": ("drama_names", "drama_id", "dramas", "d", VISIBLE_ENTRY.format(alias="d")),
    "artist": ("artist_names", "artist_id", "artists", "a", VISIBLE_ENTRY.format(alias="a")),
    # Actors are shipped entries only: every server sees them.
    "actor": ("actor_names", "actor_id", "actors", "ac", "1 = 1"),
}
# Above every Unicode code point: `norm >= q AND norm < q || TOP` is an index range for "starts with q".
TOP = "\U0010ffff"
T = TypeVar("T")
# Songs read per shared tag when looking for recommendation candidates.
TAG_SAMPLE = 150


class SearchRepo:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._d = d = store.dialect
        self._ids = d.ids("ids")
        self._fts = d.search_query(VISIBLE_SONG)
        joined = d.concat_agg("name", "' & '", "position")

        def credited(name: str, alias: str) -> str:
            """The song's artists joined with ' & ', in credit order, each as `name`."""
            return (f"(SELECT {joined} FROM (SELECT {name} AS name, "
                    "sa.position FROM song_artists sa JOIN artists a ON a.id = sa.artist_id WHERE sa.song_id = s.id "
                    f"ORDER BY sa.position) AS credited) AS {alias}")

        self._song_labels = (
            "SELECT s.id, s.title, s.hangul, d.name AS drama, d.hangul AS drama_hangul, "
            # The artists, and the same by their Hangul names where known (for Korean readers).
            f"{credited('a.name', 'artists')}, {credited('coalesce(a.hangul, a.name)', 'artists_ko')} "
            f"FROM songs s JOIN dramas d ON d.id = s.drama_id WHERE s.id IN ({self._ids}) AND {VISIBLE_SONG}")

    # -- names ------------------------------------------------------------------------------

    async def names(self, norm: str, guild_id: int | None, *, prefix: bool = False,
                    kinds: Sequence[str] = KINDS, limit: int = 50) -> list[Match]:
        """Entries with a name (any alias) equal to, or starting with, `norm` (catalog.text.compact)."""
        if not norm:
            return []
        params = {"q": norm, "top": norm + TOP, "guild": guild_id, "limit": limit}
        condition = "n.norm >= :q AND n.norm < :top AND n.norm <> :q" if prefix else "n.norm = :q"
        queries = []
        for kind in kinds:
            names, column, table, alias, visible = _NAME_TABLES[kind]
            queries.append((f"SELECT {alias}.id, n.name, n.is_main FROM {names} n JOIN {table} {alias} "
                            f"ON {alias}.id = n.{column} WHERE {condition} AND {visible} ORDER BY n.norm LIMIT :limit",
                            params))
        tier = PREFIX if prefix else EXACT
        return [Match(kind, r[0], tier, 1.0 if r[2] else 0.0, r[1])
                for kind, rows in zip(kinds, await self._store.fetch_many(queries), strict=True) for r in rows]

    async def fts_songs(self, words: Sequence[str], guild_id: int | None, limit: int = 50) -> list[Match]:
        """Songs whose title, artists (and their groups), drama, description or tags hold every
        word (the last as a prefix); best first (titles weighing most)."""
        if not words:
            return []
        rows = await self._store.fetch(
            self._fts, {"expr": self._d.search_expression(words), "guild": guild_id, "limit": limit})
        return [Match("song", r[0], WORDS, float(r[2]), r[1]) for r in rows]

    async def build_name_index(self, build: Callable[[Iterable[NameEntry], dict[int, frozenset[int]]], T]) -> T:
        """`build(names, {})` in a worker thread, over every name of the shared catalog (shipped and
        imported entries, and actors) streamed from one snapshot: the shared name index is built
        without a list of every row ever being held at once. Servers' own entries are not in it."""
        return await self._store.db.stream([(_SHARED_NAMES, ())], lambda rows: build(_names(rows[0]), {}))

    async def build_server_names(self, guild_id: int,
                                 build: Callable[[Iterable[NameEntry], dict[int, frozenset[int]]], T]) -> T:
        """`build(names, {guild_id: hidden})` in a worker thread, over the names of this server's own
        entries and the shared songs it hides: the server's own small name index."""
        params = {"guild": guild_id}
        return await self._store.db.stream(
            [("SELECT guild_id, song_id FROM hidden_songs WHERE guild_id = :guild", params), (_OWN_NAMES, params)],
            lambda rows: _build_index(rows, build))

    async def visible_ids(self, kind: str, ids: Iterable[int], guild_id: int | None) -> set[int]:
        """The subset of `ids` this server can see."""
        ids = list(ids)
        if not ids:
            return set()
        _, _, table, alias, visible = _NAME_TABLES[kind]
        rows = await self._store.fetch(
            f"SELECT {alias}.id FROM {table} {alias} WHERE {alias}.id IN ({self._ids}) AND {visible}",
            {"ids": json.dumps(ids), "guild": guild_id})
        return {r[0] for r in rows}

    # -- labels -----------------------------------------------------------------------------

    async def labels(self, refs: Sequence[tuple[str, int]], guild_id: int | None) -> dict[tuple[str, int], Label]:
        """Light labels for autocomplete choices and select options (no facts, no sources)."""
        by_kind: dict[str, list[int]] = {k: [] for k in KINDS}
        for kind, entry_id in refs:
            by_kind[kind].append(entry_id)
        params = {"guild": guild_id}
        queries = []
        if by_kind["song"]:
            queries.append(("song", self._song_labels, {**params, "ids": json.dumps(by_kind["song"])}))
        if by_kind["drama"]:
            queries.append(("drama",
                f"SELECT d.id, d.name, d.hangul, (SELECT count(*) FROM songs s WHERE s.drama_id = d.id "
                f"AND {VISIBLE_SONG}) AS n FROM dramas d "
                f"WHERE d.id IN ({self._ids}) AND {VISIBLE_ENTRY.format(alias='d')}",
                {**params, "ids": json.dumps(by_kind["drama"])}))
        if by_kind["artist"]:
            queries.append(("artist",
                f"SELECT a.id, a.name, a.hangul, {artist_song_count(self._d)} AS n FROM artists a "
                f"WHERE a.id IN ({self._ids}) AND {VISIBLE_ENTRY.format(alias='a')}",
                {**params, "ids": json.dumps(by_kind["artist"])}))
        if by_kind["actor"]:  # an actor's count is of the visible dramas they lead
            queries.append(("actor",
                "SELECT ac.id, ac.name, ac.hangul, (SELECT count(*) FROM drama_actors da JOIN dramas d "
                f"ON d.id = da.drama_id WHERE da.actor_id = ac.id AND {VISIBLE_ENTRY.format(alias='d')}) AS n "
                f"FROM actors ac WHERE ac.id IN ({self._ids})",
                {**params, "ids": json.dumps(by_kind["actor"])}))
        out: dict[tuple[str, int], Label] = {}
        results = await self._store.fetch_many([(sql, p) for _, sql, p in queries]) if queries else []
        for (kind, _, _), rows in zip(queries, results, strict=True):
            for r in rows:
                if kind == "song":
                    out[("song", r["id"])] = Label("song", r["id"], r["title"], r["hangul"], r["artists"] or "",
                                                   r["drama"], r["drama_hangul"], artists_ko=r["artists_ko"] or "")
                else:
                    out[(kind, r["id"])] = Label(kind, r["id"], r["name"], r["hangul"], song_count=r["n"])
        return out

    async def starters(self, guild_id: int | None, dramas: int = 8, artists: int = 7,
                       songs: int = 10) -> list[tuple[str, int]]:
        """A useful starting list for an empty query: the dramas and artists with the most songs,
        and the newest songs."""
        params = {"guild": guild_id}
        async with self._store.read() as r:  # grouped over the whole catalog: on a reader's thread
            drama_rows, artist_rows, song_rows = await r.fetch_many([
                (f"SELECT s.drama_id, count(*) AS n FROM songs s WHERE {VISIBLE_SONG} "
                 "GROUP BY s.drama_id ORDER BY n DESC, s.drama_id LIMIT :limit", {**params, "limit": dramas}),
                (f"SELECT sa.artist_id, count(*) AS n FROM song_artists sa JOIN songs s ON s.id = sa.song_id "
                 f"WHERE {VISIBLE_SONG} GROUP BY sa.artist_id ORDER BY n DESC, sa.artist_id LIMIT :limit",
                 {**params, "limit": artists}),
                (f"SELECT s.id FROM songs s WHERE {VISIBLE_SONG} AND s.is_ballad = 1 "
                 "ORDER BY coalesce(s.release_date, s.year || '-12-31', '0') DESC, s.id LIMIT :limit",
                 {**params, "limit": songs})])
        return ([("song", r[0]) for r in song_rows] + [("drama", r[0]) for r in drama_rows]
                + [("artist", r[0]) for r in artist_rows])

    # -- /random ------------------------------------------------------------------------------

    async def pool(self, guild_id: int | None, *, drama_id: int | None = None, artist_id: int | None = None,
                   tag: str | None = None, ballads_only: bool = False) -> Sequence[int]:
        """Ids of the visible songs passing every filter (an artist includes its members' songs),
        as a compact array (a whole big catalog is 4 bytes a song)."""
        clauses = [VISIBLE_SONG]
        params: dict[str, object] = {"guild": guild_id}
        if drama_id is not None:
            clauses.append("s.drama_id = :drama")
            params["drama"] = drama_id
        if artist_id is not None:
            clauses.append("s.id IN (SELECT sa.song_id FROM song_artists sa WHERE sa.artist_id IN "
                           f"({self._d.artist_family('CAST(:artist AS BIGINT)')}))")
            params["artist"] = artist_id
        if tag is not None:
            clauses.append("s.id IN (SELECT song_id FROM song_tags WHERE tag = :tag)")
            params["tag"] = tag
        if ballads_only:
            clauses.append("s.is_ballad = 1")
        sql = f"SELECT s.id FROM songs s WHERE {' AND '.join(clauses)} ORDER BY s.id"
        return await self._store.db.stream([(sql, params)], lambda rows: array.array("q", (r[0] for r in rows[0])))

    async def tags(self, guild_id: int | None) -> list[tuple[str, str, int]]:
        """(kind, tag, songs) for every tag on a visible song, moods first, most used first."""
        rows = await self._store.fetch(
            f"SELECT t.kind, t.tag, count(*) AS n FROM song_tags t JOIN songs s ON s.id = t.song_id "
            f"WHERE {VISIBLE_SONG} GROUP BY t.kind, t.tag ORDER BY t.kind = 'style', n DESC, t.tag",
            {"guild": guild_id})
        return [(r[0], r[1], r[2]) for r in rows]

    # -- /recommend ---------------------------------------------------------------------------

    async def related_song_ids(self, song_ids: Sequence[int], guild_id: int | None, limit: int = 200) -> list[int]:
        """Candidates for recommendations: songs sharing a drama, an artist or group, or tags with
        any of `song_ids` (the most shared tags first), excluding `song_ids` themselves.

        Tag neighbours are taken from the newest `TAG_SAMPLE` songs of each tag (an index range
        each), so the cost stays flat however many songs share a common tag.
        """
        ids = json.dumps(list(song_ids))
        tags = await self._store.fetch(
            f"SELECT DISTINCT kind, tag FROM song_tags WHERE song_id IN ({self._ids}) LIMIT 12", {"ids": ids})
        shared: dict[int, int] = {}
        if tags:
            parts = " UNION ALL ".join(
                f"SELECT * FROM (SELECT song_id FROM song_tags WHERE kind = :k{n} AND tag = :t{n} "
                f"ORDER BY rowid DESC LIMIT {TAG_SAMPLE}) AS t{n}" for n in range(len(tags)))
            params = {key: value for n, row in enumerate(tags) for key, value in ((f"k{n}", row[0]), (f"t{n}", row[1]))}
            for (song_id,) in await self._store.fetch(parts, params):
                shared[song_id] = shared.get(song_id, 0) + 1
        for song_id in song_ids:
            shared.pop(song_id, None)
        tagged = sorted(shared, key=lambda song_id: (-shared[song_id], -song_id))[:limit]
        params = {"ids": ids, "tagged": json.dumps(tagged), "guild": guild_id, "limit": limit}
        rows = await self._store.fetch(
            f"WITH base(id) AS ({self._ids}), "
            "base_artists(id) AS (SELECT artist_id FROM song_artists WHERE song_id IN (SELECT id FROM base)), "
            "family(id) AS (SELECT id FROM base_artists "
            "  UNION SELECT group_id FROM artist_groups WHERE member_id IN (SELECT id FROM base_artists) "
            "  UNION SELECT member_id FROM artist_groups WHERE group_id IN "
            "    (SELECT group_id FROM artist_groups WHERE member_id IN (SELECT id FROM base_artists)) "
            "  UNION SELECT member_id FROM artist_groups WHERE group_id IN (SELECT id FROM base_artists)), "
            "near(id) AS (SELECT s.id FROM songs s WHERE s.drama_id IN "
            "    (SELECT drama_id FROM songs WHERE id IN (SELECT id FROM base)) "
            "  UNION SELECT song_id FROM song_artists WHERE artist_id IN (SELECT id FROM family)) "
            f"SELECT s.id FROM songs s WHERE s.id IN (SELECT id FROM near UNION {self._d.ids('tagged')}) "
            f"AND s.id NOT IN (SELECT id FROM base) AND {VISIBLE_SONG} "
            "ORDER BY s.id IN (SELECT id FROM near) DESC, s.id LIMIT :limit",
            params)
        return [r[0] for r in rows]


def _all_names(owned: str, *, actors: bool) -> str:
    """Every name of the entries whose owner column passes `owned` (actors have no owner column:
    shipped entries only, their owner NULL), one query."""
    return " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, {alias}.id, "
        f"{'CAST(NULL AS BIGINT)' if kind == 'actor' else alias + '.guild_id'} AS guild_id, n.name, n.is_main "
        f"FROM {names} n JOIN {table} {alias} ON {alias}.id = n.{column}"
        + ("" if kind == "actor" else f" WHERE {alias}.guild_id {owned}")
        for kind, (names, column, table, alias, _) in _NAME_TABLES.items() if actors or kind != "actor")


_SHARED_NAMES = _all_names("IS NULL", actors=True)
_OWN_NAMES = _all_names("= :guild", actors=False)


def _names(rows: Iterator[Row]) -> Iterator[NameEntry]:
    for row in rows:
        yield NameEntry(row[0], row[1], row[3], row[2], bool(row[4]))


def _build_index(rows: list[Iterator[Row]], build: Callable[..., T]) -> T:
    hidden_rows, name_rows = rows
    hidden: dict[int, set[int]] = {}
    for guild_id, song_id in hidden_rows:
        hidden.setdefault(guild_id, set()).add(song_id)
    return build(_names(name_rows), {guild_id: frozenset(ids) for guild_id, ids in hidden.items()})
