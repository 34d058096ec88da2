"""Catalog domain models: what the store returns and what the rest of the bot reads.

`guild_id is None` marks the shipped catalog; otherwise the entry was added by that server
and is visible there only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ARTIST_KINDS = ("solo", "group", "subunit", "duo", "trio")
CREDIT_ROLES = ("main", "duet", "featuring")
FACT_KINDS = ("chart", "award", "release", "episode", "cast", "popularity", "performance", "trivia", "style", "article")
# A fact about the source article itself ("the article covers eight songs so far"), not about its
# subject: kept with its source, never asked as a quiz clue nor shown as a "did you know".
ARTICLE_FACT = "article"
# Where a fetched song's MusicBrainz pages live (whatever mirror it was fetched from).
MUSICBRAINZ_SITE = "https://musicbrainz.org"


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    note: str | None = None
    about: str | None = None       # an untitled article (title ""): what it is about
    about_ko: str | None = None
    url: str | None = None         # a web page (a MusicBrainz release) the credit links to

    @property
    def untitled(self) -> bool:
        return not self.title

    @property
    def credit(self) -> str:
        """"Title" — publisher/author, date: one line for footers and /about (English; the UI
        words an untitled article in the reader's language, see `ui.text.source_credit`)."""
        return self.credit_with(f"“{self.title}”" if self.title else f"untitled article on {self.about}")

    def credit_with(self, head: str) -> str:
        by = ", ".join(part for part in (self.publisher, self.author) if part)
        parts = [head]
        if by:
            parts.append(by)
        if self.date:
            parts.append(self.date)
        return " — ".join(parts)


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    text: str
    source: Source
    text_ko: str | None = None

    def text_in(self, lang: str) -> str:
        """The fact in the reader's language (English when no Korean text was written)."""
        return self.text_ko if lang == "ko" and self.text_ko else self.text

    @property
    def is_trivia(self) -> bool:
        """About the song, drama or artist (not about the article it comes from)."""
        return self.kind != ARTICLE_FACT


@dataclass(frozen=True, slots=True)
class Actor:
    """A lead actor (shipped catalog only); `dramas` are ids of the dramas they lead."""

    id: int
    key: str
    name: str
    hangul: str | None = None
    alt_names: tuple[str, ...] = ()
    dramas: tuple[int, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *((self.hangul,) if self.hangul else ()), *self.alt_names)))


@dataclass(frozen=True, slots=True)
class Credit:
    """One artist on one song."""

    artist_id: int
    key: str
    name: str
    role: str = "main"
    hangul: str | None = None
    groups: tuple[str, ...] = ()
    groups_ko: tuple[str, ...] = ()   # the same groups by their Hangul names where known

    @property
    def label(self) -> str:
        """"Chanyeol (EXO)": the name with the artist's groups."""
        return f"{self.name} ({', '.join(self.groups)})" if self.groups else self.name


@dataclass(frozen=True, slots=True)
class Drama:
    id: int
    key: str
    name: str
    hangul: str | None = None
    alt_names: tuple[str, ...] = ()
    year: int | None = None
    network: str | None = None
    kind: str = "drama"
    lead_actors: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    guild_id: int | None = None
    song_count: int = 0
    actors: tuple[Actor, ...] = ()   # the lead actors known as catalog entries (Hangul names)
    cover_url: str | None = None     # the cover of its first OST part (an image address, never downloaded)

    @property
    def all_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *((self.hangul,) if self.hangul else ()), *self.alt_names)))

    def actor(self, name: str) -> Actor | None:
        """The actor entry for one of `lead_actors`, when the catalog has it."""
        return next((a for a in self.actors if name in a.all_names), None)


@dataclass(frozen=True, slots=True)
class Artist:
    id: int
    key: str
    name: str
    kind: str = "solo"
    hangul: str | None = None
    alt_names: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()     # names of the groups/sub-units this artist belongs to
    members: tuple[str, ...] = ()    # names of members, for groups and sub-units
    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    guild_id: int | None = None
    song_count: int = 0
    related_hangul: dict[str, str] = field(default_factory=dict, hash=False, compare=False)  # group/member -> Hangul

    @property
    def all_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *((self.hangul,) if self.hangul else ()), *self.alt_names)))


@dataclass(frozen=True, slots=True)
class Song:
    id: int
    key: str
    title: str
    drama: Drama
    credits: tuple[Credit, ...]
    description: str
    hangul: str | None = None
    alt_titles: tuple[str, ...] = ()
    year: int | None = None
    release_date: str | None = None
    episode: int | None = None
    styles: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    is_ballad: bool = True
    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    guild_id: int | None = None
    description_ko: str | None = None
    cover_url: str | None = None       # its release's cover (an image address, never downloaded)
    recording_mbid: str | None = None  # the MusicBrainz recording it was fetched as or linked to

    def description_in(self, lang: str) -> str:
        """The description in the reader's language (English when no Korean text was written)."""
        return self.description_ko if lang == "ko" and self.description_ko else self.description

    @property
    def all_titles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.title, *((self.hangul,) if self.hangul else ()), *self.alt_titles)))

    @property
    def artist_line(self) -> str:
        """"Punch & Chanyeol (EXO)"."""
        labels = [c.label for c in self.credits]
        if len(labels) <= 1:
            return "".join(labels)
        return ", ".join(labels[:-1]) + " & " + labels[-1]

    @property
    def tags(self) -> tuple[str, ...]:
        return self.styles + self.moods

    @property
    def recording_url(self) -> str | None:
        return f"{MUSICBRAINZ_SITE}/recording/{self.recording_mbid}" if self.recording_mbid else None

    @property
    def when(self) -> str | None:
        """The release date when known, else the year."""
        return self.release_date or (str(self.year) if self.year else None)


@dataclass(frozen=True, slots=True)
class CatalogCounts:
    songs: int
    dramas: int
    artists: int
    sources: int = 0
    guild_songs: int = 0


# -- the seed file's entries (`seedfile.parse_catalog`), keyed by slug, before ids exist -------------

@dataclass(frozen=True, slots=True)
class SeedSource:
    """An article; an untitled one says what it is `about` and has no title."""

    key: str
    title: str = ""
    untitled: bool = False
    about: str | None = None
    about_ko: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: dt.date | None = None
    note: str | None = None
    file: str | None = None     # the article's text under data/seeds/


@dataclass(frozen=True, slots=True)
class SeedFact:
    kind: str
    text: str
    source: str                 # a source key
    text_ko: str | None = None
    quote: str | None = None    # the article's words the fact rests on


@dataclass(frozen=True, slots=True)
class SeedSupport:
    """The article words behind one mood tag of a song."""

    mood: str
    source: str                 # a source key
    quote: str


@dataclass(frozen=True, slots=True)
class SeedActor:
    key: str
    name: str
    hangul: str | None = None
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeedDrama:
    key: str
    name: str
    sources: tuple[str, ...]
    hangul: str | None = None
    names: tuple[str, ...] = ()
    year: int | None = None
    network: str | None = None
    kind: str = "drama"
    lead_actors: tuple[str, ...] = ()   # actor names, as [[actors]] spells them
    facts: tuple[SeedFact, ...] = ()


@dataclass(frozen=True, slots=True)
class SeedArtist:
    key: str
    name: str
    kind: str
    sources: tuple[str, ...]
    hangul: str | None = None
    names: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()        # artist keys
    facts: tuple[SeedFact, ...] = ()


@dataclass(frozen=True, slots=True)
class SeedCredit:
    artist: str                 # an artist key
    role: str = "main"


@dataclass(frozen=True, slots=True)
class SeedSong:
    key: str
    title: str
    drama: str                  # a drama key
    artists: tuple[SeedCredit, ...]
    description: str
    styles: tuple[str, ...]
    moods: tuple[str, ...]
    ballad: bool
    sources: tuple[str, ...]
    hangul: str | None = None
    hangul_note: str | None = None    # where the Korean title comes from (the release's own)
    titles: tuple[str, ...] = ()
    year: int | None = None
    release_date: dt.date | None = None
    episode: int | None = None
    description_ko: str | None = None
    facts: tuple[SeedFact, ...] = ()
    mood_support: tuple[SeedSupport, ...] = ()


@dataclass(slots=True)
class SeedCatalog:
    """The parsed, validated seed file: typed entries keyed by slug, before ids exist."""

    version: int
    sources: list[SeedSource] = field(default_factory=list)
    actors: list[SeedActor] = field(default_factory=list)
    dramas: list[SeedDrama] = field(default_factory=list)
    artists: list[SeedArtist] = field(default_factory=list)
    songs: list[SeedSong] = field(default_factory=list)
    digest: str = ""
