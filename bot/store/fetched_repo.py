"""Adding a fetch from MusicBrainz (`catalog.fetched.FetchPlan`) to a catalog, in one transaction.

A song already in the catalog (the same recording, or one of its titles by one of its singers) is
linked to the release instead of added again; a singer or drama known by any of its names (Hangul
included) is reused. Each release becomes a source (its MusicBrainz page) that its songs and drama
cite; a song keeps its recording MBIDs and its cover, a drama the cover of its earliest release.

Who writes what: the shared catalog's fetch (`ostbot db fetch`, guild None) links shared songs; a
server's fetch writes only that server's rows, so a shared song it finds is reported as already
there but left as it is (one server does not change what every server sees).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalog.fetched import FetchedRelease, FetchedSinger, FetchedSong, FetchPlan, FetchResult, StoredSong
from ..catalog.records import make_slug
from ..catalog.text import compact
from .engine import ids_param

if TYPE_CHECKING:
    from .catalog_writes import Writer

FETCH_LOCK = 0x05_7BA1_FE7C   # fetches into one database run one after the other (no song added twice)
_VISIBLE = "(s.guild_id IS NULL OR s.guild_id = :guild)"
_FOUND = "s.id, s.title, s.hangul, d.name AS drama, s.guild_id FROM songs s JOIN dramas d ON d.id = s.drama_id"


async def add_fetched(w: Writer, plan: FetchPlan, guild_id: int | None, origin: str,
                      added_by: int | None) -> FetchResult:
    if lock := w.d.lock(FETCH_LOCK):
        await w.tx.execute(lock)
    sources = await _sources(w, plan.releases)
    dramas, new_dramas = await _entries(w, "dramas", guild_id, origin, [_drama(s.record.drama) for s in plan.songs])
    artists, new_singers = await _entries(w, "artists", guild_id, origin, [x for s in plan.songs for x in s.singers])
    found = await _existing(w, plan.songs, artists, guild_id)
    fresh = [s for s in plan.songs if id(s) not in found]
    added = await _insert_songs(w, fresh, dramas, artists, guild_id, origin, added_by)
    own = {song_id: song for song_id, song in _owned(found, plan.songs, guild_id)}
    await _link(w, {**own, **{stored.id: song for stored, song in zip(added, fresh, strict=True)}}, sources)
    await _drama_covers(w, plan.songs, dramas, sources, guild_id)
    await w.reindex([s.id for s in added])
    linked = list(dict.fromkeys(stored for stored, _ in found.values()))
    return FetchResult(tuple(added), tuple(linked), plan.left_out, plan.capped,
                       tuple(d.name for d in new_dramas), tuple(s.name for s in new_singers))


async def _sources(w: Writer, releases: Sequence[FetchedRelease]) -> dict[str, int]:
    """Each release's source row (by its key; a release fetched again keeps its row), by MBID."""
    ids: dict[str, int] = {}
    for r in releases:
        ids[r.mbid] = int(await w.tx.fetchval(
            "INSERT INTO sources (key, title, publisher, published, url) VALUES (?, ?, 'MusicBrainz', ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET title = excluded.title, published = excluded.published, "
            "url = excluded.url RETURNING id", (r.source_key, r.title, r.date or None, r.url)))
    return ids


def _drama(name: str) -> FetchedSinger:
    """A drama's names, in the shape of a singer's: Hangul-only names have no Latin main name."""
    return FetchedSinger(name, None, (name,))


async def _entries(w: Writer, table: str, guild_id: int | None, origin: str, wanted: list[FetchedSinger]
                   ) -> tuple[dict[FetchedSinger, int], list[FetchedSinger]]:
    """Each wanted entry's id: the known entry with one of its names, or a new one (two wanted
    entries sharing a name become one). Also the entries that are new."""
    known = await w.resolver(table, guild_id, (compact(n) for e in wanted for n in e.names))
    pending: dict[str, FetchedSinger] = {}
    new: list[FetchedSinger] = []
    for entry in dict.fromkeys(wanted):
        norms = [compact(n) for n in entry.names]
        if any(n in known or n in pending for n in norms):
            continue
        new.append(entry)
        pending.update(dict.fromkeys(norms, entry))
    if new:
        keys = await w.free_keys(table, guild_id, {e.name: make_slug(e.name) for e in new})
        columns = ({"origin": origin, "name": e.name, "hangul": e.hangul} for e in new)
        by_key = await w.upsert_many(table, guild_id, {keys[e.name]: c for e, c in zip(new, columns, strict=True)})
        await w.replace_names(table, {by_key[keys[e.name]]: (e.name, e.names[1:]) for e in new})
        for e in new:
            known.update(dict.fromkeys((compact(n) for n in e.names), by_key[keys[e.name]]))
    ids = {}
    for entry in dict.fromkeys(wanted):
        ids[entry] = next(known[compact(n)] for n in entry.names if compact(n) in known)
    return ids, new


async def _existing(w: Writer, songs: Sequence[FetchedSong], artists: dict[FetchedSinger, int],
                    guild_id: int | None) -> dict[int, tuple[StoredSong, int | None]]:
    """The planned songs the catalog already has, by `id()` of the planned song: (the song, its
    owner). The same recording first, then one of its titles sung by one of its singers."""
    texts = w.d.texts
    recordings = [s.recording_mbid for s in songs if s.recording_mbid]
    by_recording = {r["mbid"]: r for r in await w.tx.fetch(
        f"SELECT rec.mbid, {_FOUND} JOIN song_recordings rec ON rec.song_id = s.id "
        f"WHERE rec.mbid IN ({texts('mbids')}) AND {_VISIBLE} ORDER BY s.guild_id IS NULL, s.id DESC",
        {"mbids": _json(recordings), "guild": guild_id})}
    norms = sorted({compact(t) for s in songs for t in s.titles})
    by_title: dict[tuple[str, int], Any] = {}
    for r in await w.tx.fetch(
            f"SELECT st.norm, sa.artist_id, {_FOUND} JOIN song_titles st ON st.song_id = s.id "
            f"JOIN song_artists sa ON sa.song_id = s.id WHERE st.norm IN ({texts('norms')}) AND {_VISIBLE} "
            "ORDER BY s.guild_id IS NULL, s.id DESC", {"norms": _json(norms), "guild": guild_id}):
        by_title[(r["norm"], int(r["artist_id"]))] = r
    found: dict[int, tuple[StoredSong, int | None]] = {}
    for song in songs:
        row = by_recording.get(song.recording_mbid) or next(
            (by_title[(compact(t), artists[x])] for t in song.titles for x in song.singers
             if (compact(t), artists[x]) in by_title), None)
        if row is not None:
            owner = row["guild_id"]
            found[id(song)] = (StoredSong(int(row["id"]), row["title"], row["hangul"], row["drama"], owner), owner)
    return found


def _owned(found: dict[int, tuple[StoredSong, int | None]], songs: Sequence[FetchedSong], guild_id: int | None
           ) -> list[tuple[int, FetchedSong]]:
    """The songs found that this fetch may link (its own catalog's: see the module's docstring)."""
    by_id = {id(s): s for s in songs}
    return [(stored.id, by_id[key]) for key, (stored, owner) in found.items() if owner == guild_id]


async def _insert_songs(w: Writer, songs: Sequence[FetchedSong], dramas: dict[FetchedSinger, int],
                        artists: dict[FetchedSinger, int], guild_id: int | None, origin: str,
                        added_by: int | None) -> list[StoredSong]:
    if not songs:
        return []
    keys = await w.free_keys("songs", guild_id, {str(i): s.record.slug() for i, s in enumerate(songs)})
    ids = await w.upsert_many("songs", guild_id, {keys[str(i)]: {
        "origin": origin, "title": s.record.title, "hangul": s.record.hangul or None,
        "drama_id": dramas[_drama(s.record.drama)], "year": s.record.year,
        "release_date": s.record.release_date or None, "description": "", "is_ballad": 1, "added_by": added_by,
        "cover_url": s.release.cover_url} for i, s in enumerate(songs)})
    song_ids = [ids[keys[str(i)]] for i in range(len(songs))]
    await w.replace_names("songs", {i: (s.record.title, s.titles[1:]) for i, s in zip(song_ids, songs, strict=True)})
    await w.replace_song_children({i: ([(artists[x], "main" if n == 0 else "duet") for n, x in enumerate(s.singers)],
                                       [], []) for i, s in zip(song_ids, songs, strict=True)})
    # Named as the catalog names their drama (Goblin, not the release's 도깨비), as the linked songs are.
    drama_ids = [dramas[_drama(s.record.drama)] for s in songs]
    names = {int(r[0]): r[1] for r in await w.tx.fetch(
        f"SELECT id, name FROM dramas WHERE id IN ({w.d.ids('ids')})", {"ids": ids_param(set(drama_ids))})}
    return [StoredSong(i, s.record.title, s.record.hangul or None, names[d], guild_id)
            for i, s, d in zip(song_ids, songs, drama_ids, strict=True)]


async def _link(w: Writer, songs: dict[int, FetchedSong], sources: dict[str, int]) -> None:
    """Each song cites its release, keeps its recording, and takes the release's cover if it has none."""
    tx = w.tx
    await tx.executemany("INSERT INTO entry_sources (kind, entry_id, source_id) VALUES ('song', ?, ?) "
                         "ON CONFLICT DO NOTHING", [(i, sources[s.release.mbid]) for i, s in songs.items()])
    await tx.executemany("INSERT INTO song_recordings (song_id, mbid) VALUES (?, ?) ON CONFLICT DO NOTHING",
                         [(i, s.recording_mbid) for i, s in songs.items() if s.recording_mbid])
    await tx.executemany("UPDATE songs SET cover_url = ? WHERE id = ? AND cover_url IS NULL",
                         [(s.release.cover_url, i) for i, s in songs.items() if s.release.cover_url])


async def _drama_covers(w: Writer, songs: Sequence[FetchedSong], dramas: dict[FetchedSinger, int],
                        sources: dict[str, int], guild_id: int | None) -> None:
    """Each drama this fetch may write cites the releases of its songs and shows the cover of its
    earliest release (by date; a release without a date counts as the latest)."""
    releases: dict[int, dict[str, FetchedRelease]] = {}
    for s in songs:
        releases.setdefault(dramas[_drama(s.record.drama)], {})[s.release.mbid] = s.release
    owned = {int(r[0]) for r in await w.tx.fetch(
        f"SELECT id FROM dramas WHERE id IN ({w.d.ids('ids')}) AND "
        + ("guild_id IS NULL" if guild_id is None else "guild_id = :guild"),
        {"ids": _json(list(releases)), "guild": guild_id})}
    await w.tx.executemany("INSERT INTO entry_sources (kind, entry_id, source_id) VALUES ('drama', ?, ?) "
                           "ON CONFLICT DO NOTHING",
                           [(d, sources[m]) for d, by in releases.items() if d in owned for m in by])
    covers = []
    for drama_id, by in releases.items():
        with_cover = sorted((r.date or "9999", r.mbid, r.cover_url) for r in by.values() if r.cover_url)
        if drama_id in owned and with_cover:
            date, _, url = with_cover[0]
            covers.append((url, date, drama_id, date))
    await w.tx.executemany("UPDATE dramas SET cover_url = ?, cover_date = ? WHERE id = ? "
                           "AND (cover_url IS NULL OR cover_date IS NULL OR cover_date > ?)", covers)


def _json(values: Sequence[object]) -> str:
    return json.dumps(list(values), ensure_ascii=False)
