"""Songs fetched from MusicBrainz, turned into what the store adds: one plan per fetch.

Plain Python, no discord import, no I/O. A release (`bot.musicbrainz.models.Release`, already
converted from MusicBrainz's JSON) becomes songs validated by the same rules as `/catalog add` and
`ostbot db import` (the catalog's one validator, `validation`, through `records.record_from_mapping`:
lengths, mentions, markdown): a track that breaks them is left out with its problem, never cleaned up
silently. Instrumentals are left out unless asked for, a fetch keeps at most `MAX_SONGS` songs, and
the same recording met twice (a single and the full album) is kept once. What the store did with a
plan comes back as a `FetchResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .models import MUSICBRAINZ_SITE
from .records import LIMITS, SongRecord, record_from_mapping
from .text import compact, has_hangul
from .validation import RecordProblem, clean_text

if TYPE_CHECKING:
    from ..musicbrainz.models import Release, Singer, Track

MAX_SONGS = 100                 # songs one fetch adds or links at most
LEFT_OUT = "fetch.left."        # message keys of the reasons a track was left out


class FetchRefused(Exception):
    """The fetch cannot go ahead at all (nothing to add): `key` is a message key, `params` its values."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class FetchedRelease:
    """A MusicBrainz release, the source its songs and drama cite."""

    mbid: str
    title: str
    date: str
    cover_url: str | None

    @property
    def url(self) -> str:
        return f"{MUSICBRAINZ_SITE}/release/{self.mbid}"

    @property
    def source_key(self) -> str:
        return f"musicbrainz-release-{self.mbid}"


@dataclass(frozen=True, slots=True)
class FetchedSinger:
    name: str                       # the catalog's main name (Latin when MusicBrainz has one)
    hangul: str | None
    names: tuple[str, ...]          # every name it is known by, the main one first


@dataclass(frozen=True, slots=True)
class FetchedSong:
    record: SongRecord              # validated: title, hangul, other titles, singers' names, drama, dates
    singers: tuple[FetchedSinger, ...]
    release: FetchedRelease
    recording_mbid: str

    @property
    def titles(self) -> tuple[str, ...]:
        r = self.record
        return tuple(dict.fromkeys(n for n in (r.title, r.hangul, *r.alt_titles) if n))


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A track not added, and why (`reason` a message key, `params` its values)."""

    title: str
    reason: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    problem: RecordProblem | None = None


@dataclass(frozen=True, slots=True)
class FetchPlan:
    drama: str
    releases: tuple[FetchedRelease, ...]
    songs: tuple[FetchedSong, ...]
    left_out: tuple[LeftOut, ...]
    capped: bool = False            # more vocal tracks than MAX_SONGS: the rest were left out


@dataclass(frozen=True, slots=True)
class StoredSong:
    """A song of the catalog, as a fetch's answer names it."""

    id: int
    title: str
    hangul: str | None
    drama: str
    guild_id: int | None = None     # whose song: None for the shared catalog


@dataclass(frozen=True, slots=True)
class FetchResult:
    added: tuple[StoredSong, ...]
    linked: tuple[StoredSong, ...]      # already in the catalog: linked to the release, not added again
    left_out: tuple[LeftOut, ...]
    capped: bool = False
    new_dramas: tuple[str, ...] = ()
    new_singers: tuple[str, ...] = ()


# -- from releases to a plan -----------------------------------------------------------------------

def fetched_release(release: Release) -> FetchedRelease:
    """The release as the source its songs cite. A title that breaks the catalog's text rules is
    not kept: the source is then named after its drama ("<drama> OST")."""
    for wanted in (release.title, f"{release.drama} OST"):
        title, problem = clean_text(wanted, LIMITS["title"])
        if title and problem is None:
            return FetchedRelease(release.mbid, title, release.date, release.cover_url)
    return FetchedRelease(release.mbid, "MusicBrainz", release.date, release.cover_url)


def song_titles(track: Track) -> tuple[str, str | None, list[str]]:
    """(title, Hangul title, other titles): a Latin title leads when MusicBrainz has one, as the
    shipped catalog's titles do ("Winter Letter", Hangul "겨울 편지"); a Hangul-only title stays."""
    title, latin = track.title.strip(), track.latin_title.strip()
    if latin and compact(latin) != compact(title):
        if has_hangul(title):
            return latin, title, []
        return title, None, [latin]
    return title, None, []


def singer(credit: Singer) -> FetchedSinger:
    """A credited singer: a Hangul name with a Latin alias is stored as the shipped artists are
    (Latin main name, Hangul name beside it). Aliases that break the text rules are dropped."""
    latin = [n for n in dict.fromkeys(a.strip() for a in credit.latin)
             if n and compact(n) != compact(credit.name) and clean_text(n, LIMITS["artist"])[1] is None]
    name = credit.name.strip()
    if has_hangul(name) and latin:
        return FetchedSinger(latin[0], name, (latin[0], name, *latin[1:]))
    return FetchedSinger(name, None, (name, *latin))


def _dates(date: str) -> tuple[int | None, str]:
    year = int(date[:4]) if len(date) >= 4 and date[:4].isdigit() else None
    return year, date if len(date) == 10 else ""


def plan_fetch(releases: Sequence[Release], *, drama: str | None = None, instrumentals: bool = False,
               limit: int = MAX_SONGS) -> FetchPlan:
    """The songs to add from `releases` (in order), validated, with what was left out and why.
    `drama` names the drama outright instead of each release's derived name."""
    if not releases:
        raise FetchRefused("fetch.error.nothing")
    drama_name = (drama or releases[0].drama or "").strip()
    _, problem = clean_text(drama_name, LIMITS["drama"])
    if not drama_name or problem:
        raise FetchRefused("fetch.error.bad_drama", drama=drama_name[:60])
    songs: list[FetchedSong] = []
    left: list[LeftOut] = []
    seen: set[str] = set()
    capped = False
    for release in releases:
        source = fetched_release(release)
        name = (drama or release.drama or drama_name).strip()
        for track in release.tracks:
            if track.instrumental and not instrumentals:
                left.append(LeftOut(track.title, LEFT_OUT + "instrumental"))
                continue
            song_or_reason = _song(track, source, name, seen)
            if isinstance(song_or_reason, LeftOut):
                left.append(song_or_reason)
            elif len(songs) >= limit:
                capped = True
                left.append(LeftOut(track.title, LEFT_OUT + "limit", {"limit": limit}))
            else:
                songs.append(song_or_reason)
        if release.track_count > len(release.tracks):  # the client stopped reading a huge release
            capped = True
            left.append(LeftOut(release.title, LEFT_OUT + "unread",
                                {"count": release.track_count - len(release.tracks)}))
    return FetchPlan(drama_name, tuple(fetched_release(r) for r in releases), tuple(songs), tuple(left), capped)


def _song(track: Track, release: FetchedRelease, drama: str, seen: set[str]) -> FetchedSong | LeftOut:
    """One track as a song, or why it is left out. `seen`: recordings and titles already planned."""
    title, hangul, others = song_titles(track)
    # One singer credited twice (a joined credit naming the same artist) is one singer.
    unique: dict[str, FetchedSinger] = {}
    for credit in track.singers:
        unique.setdefault(compact(credit.name), singer(credit))
    singers = tuple(unique.values())
    if not singers:
        return LeftOut(track.title, LEFT_OUT + "no_singer")
    year, release_date = _dates(release.date)
    row = {"title": title, "hangul": hangul or "", "alt_titles": others, "artists": [s.name for s in singers],
           "drama": drama, "year": year, "release_date": release_date}
    problems: list[RecordProblem] = []
    record = record_from_mapping(row, track.position, problems, unit="song")
    if record is None:
        return LeftOut(track.title, LEFT_OUT + "invalid", problem=problems[0])
    identity = [f"rec:{track.recording_mbid}"] if track.recording_mbid else []
    identity.append("title:" + compact(title) + "|" + "|".join(sorted(compact(s.name) for s in singers)))
    if any(i in seen for i in identity):
        return LeftOut(track.title, LEFT_OUT + "twice")
    seen.update(identity)
    return FetchedSong(record, singers, release, track.recording_mbid)


def left_out_counts(left_out: Iterable[LeftOut]) -> dict[str, int]:
    """How many tracks were left out for each reason, in the order the reasons first appear."""
    counts: dict[str, int] = {}
    for item in left_out:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    return counts
