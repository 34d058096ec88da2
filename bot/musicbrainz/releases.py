"""MusicBrainz ws/2 JSON -> the bot's records, and what a manager typed -> a `Query`. Pure functions.

The JSON is read exactly as ws/2 serves it with `fmt=json`: a release looked up with
`inc=recordings+artist-credits+aliases+release-groups+release-rels`, a release search answer
(`created`/`count`/`offset`/`releases[]` with a `score` each), a release browse (`release-count`/`releases[]`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .models import PSEUDO_RELEASE, Query, Release, ReleaseSummary, Singer, Track

JSON = Mapping[str, Any]

MAX_QUERY_LENGTH = 200
MBID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The entity types a MusicBrainz URL can name; only releases and release groups hold an OST.
ENTITY_TYPES = ("artist", "recording", "work", "label", "area", "place", "event", "series", "instrument",
                "genre", "url", "track", "collection", "user", "cdtoc", "isrc", "iswc", "tag", "search", "doc")


class BadQuery(ValueError):
    """The query cannot name an OST; `key` is an i18n message key, `params` its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _is_musicbrainz_host(host: str) -> bool:
    return host == "musicbrainz.org" or host.endswith(".musicbrainz.org")


def parse_query(text: str) -> Query:
    """A release id (MBID), a release or release-group URL on musicbrainz.org, or words."""
    text = " ".join(text.split())
    if not text:
        raise BadQuery("musicbrainz.empty_query")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery("musicbrainz.query_too_long", limit=MAX_QUERY_LENGTH)
    lowered = text.lower()
    if MBID.fullmatch(lowered):
        return Query("release", lowered)
    if not re.match(r"(https?://|www\.|[\w-]+(\.[\w-]+)*\.[a-z]{2,}/)", lowered):
        return Query("words", text)
    url = urlsplit(lowered if "://" in lowered else "https://" + lowered)
    host = (url.hostname or "").removeprefix("www.")
    if not _is_musicbrainz_host(host):
        raise BadQuery("musicbrainz.other_site", site=host or text)
    parts = [p for p in url.path.split("/") if p]
    entity = parts[0] if parts else ""
    if entity in ("release", "release-group"):
        if len(parts) >= 2 and MBID.fullmatch(parts[1]):
            return Query("release" if entity == "release" else "release_group", parts[1])
        raise BadQuery("musicbrainz.bad_url")
    if entity in ENTITY_TYPES:
        raise BadQuery("musicbrainz.other_entity", entity=entity)
    raise BadQuery("musicbrainz.bad_url")


# --- The drama's name from an OST release group's title -------------------------------------------------

# A parenthesis or bracket naming the broadcaster or the medium: "(tvN 드라마)", "[KBS2 월화드라마]".
_BROADCAST = re.compile(
    r"[(\[【]([^)\]】]*(드라마|drama|tvn|kbs|sbs|mbc|jtbc|ocn|netflix|넷플릭스|웹툰|ost|soundtrack)[^)\]】]*)[)\]】]",
    re.IGNORECASE,
)
# Where the soundtrack words begin; everything from there on is not the drama's name.
_SOUNDTRACK = re.compile(
    r"(\bO\.?S\.?T\b\.?|\bOriginal\s+(Television\s+|TV\s+|Drama\s+)?Sound\s?track\b|\bSound\s?track\b|사운드\s?트랙)",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(\s*[-:–—|,/]\s*|\s+)("
    r"Part\.?\s*\d+|Pt\.?\s*\d+|Vol\.?\s*\d+|Special(\s+Part)?|Special\s*\d*|Complete|Full\s+Album"
    r")\s*$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^\s*(드라마|Drama)\s+", re.IGNORECASE)
_QUOTES = "'\"‘’“”「」『』<>《》〈〉"


def drama_name(release_group_title: str) -> str:
    """`도깨비 OST Part 4` -> `도깨비`; `(tvN 드라마) 호텔 델루나 OST Part.3` -> `호텔 델루나`.

    The broadcaster in brackets, the soundtrack words and what follows them (`Part.3`, `Special`,
    `Vol. 2`) and quotes around the name are stripped; a title without any of them is kept whole.
    """
    title = " ".join(release_group_title.split())
    text = _BROADCAST.sub(" ", title)
    if match := _SOUNDTRACK.search(text):
        text = text[: match.start()]
    text = text.strip()
    while (match := _TRAILING.search(text)) and match.start() > 0:
        text = text[: match.start()].strip()
    text = _PREFIX.sub("", text).strip(" -:–—|,/" + _QUOTES).strip()
    return text or title


# --- Instrumentals --------------------------------------------------------------------------------------

_INSTRUMENTAL = re.compile(r"\b(inst\.?|instrumental)(?!\w)|[(\[]\s*(반주|연주곡)\s*[)\]]", re.IGNORECASE)
_MR = re.compile(r"\bMR\b(?!\.)")  # capitals only, and not "Mr." ("Mr. Sunshine" is a drama)


def is_instrumental(title: str) -> bool:
    """"Inst.", "(Inst)", "Instrumental", "MR", "(반주)": the karaoke or instrumental version of a song."""
    return bool(_INSTRUMENTAL.search(title) or _MR.search(title))


# --- Scripts and names ----------------------------------------------------------------------------------

def _has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f" for c in text)


def is_latin(text: str) -> bool:
    """Written in the Latin script: at least one Latin letter and no other script's letters."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)


def _latin_aliases(aliases: Iterable[JSON]) -> list[str]:
    """Latin alias names, the primary and English ones first (search hints last)."""
    def rank(alias: JSON) -> tuple[int, int, int]:
        return (alias.get("type") == "Search hint", not alias.get("primary"), alias.get("locale") not in ("en", "ko"))

    return [str(a["name"]) for a in sorted(aliases, key=rank) if a.get("name") and is_latin(str(a["name"]))
            and a.get("type") != "Search hint"]


def _hangul_aliases(aliases: Iterable[JSON]) -> list[str]:
    """Hangul alias names, the Korean-locale primary ones first."""
    def rank(alias: JSON) -> tuple[bool, bool]:
        return (alias.get("locale") != "ko", not alias.get("primary"))

    return [str(a["name"]) for a in sorted(aliases, key=rank) if a.get("name") and _has_hangul(str(a["name"]))]


def _unique(names: Iterable[str], but: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() != but.casefold() and name.casefold() not in {n.casefold() for n in seen}:
            seen[name] = None
    return tuple(seen)


def singer_from_credit(credit: JSON) -> Singer:
    """One element of an artist credit: the credited name, Latin names from the artist's own name, its
    aliases, or its sort name ("Baek, Yerin" -> "Baek Yerin") when nothing better is known."""
    artist: JSON = credit.get("artist") or {}
    name = " ".join(str(credit.get("name") or artist.get("name") or "").split())
    candidates: list[str] = []
    if is_latin(str(artist.get("name") or "")):
        candidates.append(str(artist["name"]))
    candidates += _latin_aliases(artist.get("aliases") or ())
    sort_name = str(artist.get("sort-name") or "")
    if not candidates and is_latin(sort_name):
        candidates.append(sort_name.replace(", ", " ").replace(",", " "))
    hangul = next((n for n in (name, str(artist.get("name") or ""), *_hangul_aliases(artist.get("aliases") or ()))
                   if _has_hangul(n)), "")
    return Singer(name=name, latin=_unique(candidates, but=name), mbid=str(artist.get("id") or ""),
                  hangul=" ".join(hangul.split()))


def singers_from_credit(credits: Iterable[JSON] | None) -> tuple[Singer, ...]:
    """Each credited artist of "A & B" or "A (feat. B)" as its own singer (ws/2 gives them apart, with
    the joinphrase between them)."""
    singers: dict[str, Singer] = {}
    for credit in credits or ():
        singer = singer_from_credit(credit)
        if singer.name and (singer.mbid or singer.name) not in singers:
            singers[singer.mbid or singer.name] = singer
    return tuple(singers.values())


def credit_phrase(credits: Iterable[JSON] | None) -> str:
    """The credit as MusicBrainz prints it: names joined by their joinphrases ("A (feat. B)")."""
    return "".join(f"{c.get('name', '')}{c.get('joinphrase') or ''}" for c in credits or ())


# --- Releases -------------------------------------------------------------------------------------------

def _int(value: object, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _pseudo_titles(pseudo: JSON | None) -> tuple[dict[str, str], dict[tuple[int, int], str]]:
    """The pseudo-release's Latin titles by recording id, and by (disc, position)."""
    by_recording: dict[str, str] = {}
    by_position: dict[tuple[int, int], str] = {}
    for medium in (pseudo or {}).get("media") or ():
        for track in medium.get("tracks") or ():
            title = " ".join(str(track.get("title") or "").split())
            if not is_latin(title):
                continue
            if recording_id := (track.get("recording") or {}).get("id"):
                by_recording[recording_id] = title
            by_position[(_int(medium.get("position"), 1), _int(track.get("position")))] = title
    return by_recording, by_position


def _track(medium: JSON, track: JSON, pseudo: tuple[dict[str, str], dict[tuple[int, int], str]]) -> Track:
    recording: JSON = track.get("recording") or {}
    title = " ".join(str(track.get("title") or recording.get("title") or "").split())
    disc, position = _int(medium.get("position"), 1), _int(track.get("position"))
    recording_id = str(recording.get("id") or "")
    latin = pseudo[0].get(recording_id) or pseudo[1].get((disc, position)) or ""
    if not latin and not is_latin(title):
        latin = next(iter(_latin_aliases(recording.get("aliases") or ())), "")
    credit = track.get("artist-credit") or recording.get("artist-credit")
    length = track.get("length") if track.get("length") is not None else recording.get("length")
    return Track(
        title=title,
        latin_title="" if latin == title else latin,
        singers=singers_from_credit(credit),
        recording_mbid=recording_id,
        disc=disc,
        position=position,
        instrumental=is_instrumental(title) or is_instrumental(str(recording.get("disambiguation") or "")),
        length_ms=_int(length) if isinstance(length, int) else None,
    )


def pseudo_release_id(data: JSON) -> str | None:
    """The pseudo-release holding this release's transliterated or translated track list, if linked
    (a `transl-tracklisting` relation, Latin script preferred)."""
    found: list[tuple[bool, str]] = []
    for relation in data.get("relations") or ():
        target = relation.get("release") or {}
        if relation.get("type") == "transl-tracklisting" and relation.get("direction", "forward") == "forward" \
                and target.get("id"):
            script = (target.get("text-representation") or {}).get("script")
            found.append((script != "Latn", str(target["id"])))
    return min(found)[1] if found else None


def original_release_id(data: JSON) -> str | None:
    """For a pseudo-release, the release whose track list it transliterates or translates."""
    if data.get("status") != PSEUDO_RELEASE:
        return None
    for relation in data.get("relations") or ():
        target = relation.get("release") or {}
        if relation.get("type") == "transl-tracklisting" and relation.get("direction") == "backward" \
                and target.get("id"):
            return str(target["id"])
    return None


def release_from_json(data: JSON, *, pseudo: JSON | None, cover_url: str | None) -> Release:
    """A release looked up with `inc=recordings+artist-credits+aliases+release-groups+release-rels`;
    `pseudo` is its linked pseudo-release looked up with `inc=recordings` (or None)."""
    group: JSON = data.get("release-group") or {}
    titles = _pseudo_titles(pseudo)
    media = data.get("media") or ()
    tracks = tuple(_track(m, t, titles) for m in media for t in (m.get("tracks") or ()))
    return Release(
        **_release_fields(data, group),
        tracks=tracks,
        cover_url=cover_url,
        track_count=sum(_int(m.get("track-count"), len(m.get("tracks") or ())) for m in media),
    )


def _release_fields(data: JSON, group: JSON) -> dict[str, str]:
    """What a release and a search hit both say of a release: its ids, titles, date and drama."""
    group_title = " ".join(str(group.get("title") or data.get("title") or "").split())
    return {"mbid": str(data.get("id") or ""), "title": " ".join(str(data.get("title") or "").split()),
            "date": str(data.get("date") or group.get("first-release-date") or ""),
            "release_group_mbid": str(group.get("id") or ""), "release_group_title": group_title,
            "drama": drama_name(group_title)}


def vocal_tracks(release: Release) -> tuple[Track, ...]:
    return tuple(t for t in release.tracks if not t.instrumental)


def summary_from_json(data: JSON, *, score: int | None = None) -> ReleaseSummary:
    """One release of a search answer or a browse (`inc=artist-credits+release-groups+media`)."""
    group: JSON = data.get("release-group") or {}
    media = data.get("media") or ()
    count = data.get("track-count")
    return ReleaseSummary(
        **_release_fields(data, group),
        singers=tuple(s.name for s in singers_from_credit(data.get("artist-credit"))),
        track_count=_int(count) if isinstance(count, int) else sum(_int(m.get("track-count")) for m in media),
        score=_int(data.get("score"), 100) if score is None else score,
        status=str(data.get("status") or ""),
    )


def summaries_from_search(data: JSON) -> list[ReleaseSummary]:
    """A release search answer (or a browse), best score first."""
    summaries = [summary_from_json(r) for r in data.get("releases") or ()]
    return sorted(summaries, key=lambda s: -s.score)


def prefer_originals(summaries: list[ReleaseSummary]) -> list[ReleaseSummary]:
    """Without the pseudo-releases (Latin copies) of release groups that have another release listed."""
    groups = {s.release_group_mbid for s in summaries if not s.is_pseudo}
    return [s for s in summaries if not (s.is_pseudo and s.release_group_mbid in groups)]


def drama_parts(summaries: list[ReleaseSummary], drama: str) -> list[ReleaseSummary]:
    """One release per release group of the drama `drama` (named by a release or release-group title;
    the original release rather than its pseudo-release, then the best score), oldest part first."""
    wanted = drama_name(drama).casefold()
    matched = {s.release_group_mbid or s.mbid for s in summaries
               if wanted in (s.drama.casefold(), drama_name(s.title).casefold())}
    parts: dict[str, ReleaseSummary] = {}
    for summary in sorted(summaries, key=lambda s: (s.is_pseudo, -s.score)):
        if (group := summary.release_group_mbid or summary.mbid) in matched:
            parts.setdefault(group, summary)
    return sorted(parts.values(), key=lambda s: (s.date or "9999", s.release_group_title))


def may_have_cover(data: JSON) -> bool:
    """False when a looked-up release says the Cover Art Archive has no front image for it (no need to ask)."""
    archive = data.get("cover-art-archive")
    return not isinstance(archive, Mapping) or archive.get("front") is not False


def cover_from_json(data: JSON, release_mbid: str, coverart_url: str) -> str | None:
    """The front image's 250 px thumbnail from a Cover Art Archive listing (`{root}/release/{mbid}`)."""
    for image in data.get("images") or ():
        if image.get("front"):
            thumbnails = image.get("thumbnails") or {}
            url = thumbnails.get("250") or thumbnails.get("small")
            return str(url) if url else f"{coverart_url.rstrip('/')}/release/{release_mbid}/front-250"
    return None
