"""What the bot keeps from MusicBrainz: plain frozen records, no I/O.

The conversion from ws/2 JSON lives in `releases.py`, the HTTP client in `client.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Source URLs always name the canonical site, whichever mirror or stand-in served the data.
SITE = "https://musicbrainz.org"
PSEUDO_RELEASE = "Pseudo-Release"


@dataclass(frozen=True, slots=True)
class Singer:
    name: str  # as credited on the track (often Hangul: "백예린")
    latin: tuple[str, ...] = ()  # Latin names from the artist's aliases / sort name ("Baek Yerin")
    mbid: str = ""
    # The Hangul name: the credited name, the artist's name or a Hangul alias ("에일리" for a credit "Ailee").
    hangul: str = ""


@dataclass(frozen=True, slots=True)
class Track:
    title: str  # as on the release (often Hangul)
    # From a linked pseudo-release (transliteration/translation) or the recording's aliases; "" when none.
    latin_title: str
    singers: tuple[Singer, ...]  # one per credited artist ("A & B", "A (feat. B)" -> two)
    recording_mbid: str
    disc: int
    position: int
    instrumental: bool  # "Inst.", "Instrumental", "MR", "(Inst)" ... in the title or disambiguation
    length_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Release:
    mbid: str
    title: str
    date: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD", or ""
    release_group_mbid: str
    release_group_title: str
    drama: str  # the drama's name derived from the release-group title
    tracks: tuple[Track, ...]
    cover_url: str | None  # the Cover Art Archive's 250 px front thumbnail, None when there is none
    track_count: int  # as MusicBrainz reports it (may exceed len(tracks) when capped)

    @property
    def url(self) -> str:
        return f"{SITE}/release/{self.mbid}"

    def recording_url(self, t: Track) -> str:
        return f"{SITE}/recording/{t.recording_mbid}"

    @property
    def singers(self) -> tuple[str, ...]:
        """Every credited singer of the vocal tracks, in order of first appearance."""
        seen: dict[str, None] = {}
        for track in self.tracks:
            if not track.instrumental:
                seen.update(dict.fromkeys(s.name for s in track.singers))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    """One search hit (or one release of a release group), for the preview."""

    mbid: str
    title: str
    date: str
    release_group_mbid: str
    release_group_title: str
    drama: str
    singers: tuple[str, ...]  # the release's artist credit, split
    track_count: int
    score: int  # MusicBrainz's search score, 0-100 (100 for a browse)
    cover_url: str | None = None  # filled in only when asked (one Cover Art Archive request per release)
    status: str = ""  # "Official", "Pseudo-Release" (a transliterated or translated copy) ...

    @property
    def url(self) -> str:
        return f"{SITE}/release/{self.mbid}"

    @property
    def is_pseudo(self) -> bool:
        return self.status == PSEUDO_RELEASE


@dataclass(frozen=True, slots=True)
class Query:
    """What the manager typed, understood."""

    kind: Literal["release", "release_group", "words"]
    value: str  # an MBID for the first two, the words for "words"
