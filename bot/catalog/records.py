"""Flat song records: what `ostbot db import`, `/catalog import`, `/catalog add` and a MusicBrainz
fetch turn into songs.

One record per song, names instead of ids, so a CSV made by hand works. A row is read leniently (a
list as names separated by ";", a year as digits, ballad as yes/no words, a blank cell as no value)
and then checked by the catalog's one validator (`validation`) with the limits of a record below.
Validation never raises: it reports every bad row by line (CSV) or entry (JSON) and field, each
problem with a message key and its parameters; the reader's language is chosen where it is shown.
Reading and writing files (CSV, JSON) is `recordfiles`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from .text import compact, normalize
from .validation import (
    MAX_KEY,
    PROBLEM_KEY,
    Check,
    Field,
    Problem,
    RecordProblem,
    Spec,
    check_fields,
    date,
    flag,
    listed,
    mbid,
    one,
    slug,
    text,
    web_address,
    year,
)

COLUMNS = ("key", "title", "hangul", "alt_titles", "artists", "drama", "year", "release_date",
           "description", "styles", "moods", "ballad", "cover_url", "recordings")
REQUIRED = ("title", "artists", "drama")
LIST_SEPARATOR = ";"
LIMITS = {"title": 100, "hangul": 100, "drama": 100, "artist": 80, "description": 300, "tag": 30, "cover_url": 500}
MAX_ARTISTS = 8
MAX_TAGS = 10
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass(slots=True)
class SongRecord:
    title: str
    artists: list[str]
    drama: str
    key: str = ""
    hangul: str = ""
    alt_titles: list[str] = field(default_factory=list)
    year: int | None = None
    release_date: str = ""
    description: str = ""
    styles: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    ballad: bool = True
    cover_url: str = ""   # its cover's address (a fetched song's, kept by export and import)
    recordings: list[str] = field(default_factory=list)   # MusicBrainz recording MBIDs (likewise)

    def slug(self) -> str:
        return self.key or make_slug(f"{self.title} {self.drama}")


def make_slug(text: str) -> str:
    folded = _SLUG_CHARS.sub("-", normalize(text).encode("ascii", "ignore").decode()).strip("-")
    if not folded:  # all Hangul: keep it stable and unique enough
        folded = "k-" + "-".join(f"{ord(c):x}" for c in compact(text))[:60]
    return folded[:80].strip("-")




def _names(limit: int, most: int) -> Check:
    """A list field of a record: names separated by ";" in a string, or a list of such strings."""
    return _separated(listed(text(limit), most=most))


def _separated(items: Check) -> Check:
    """A list field read from a string separated by ";", or a list of such strings."""
    def check(value: object) -> tuple[object, list[tuple[str | None, Problem]]]:
        if isinstance(value, str):
            parts = value.split(LIST_SEPARATOR)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = [piece for v in value for piece in v.split(LIST_SEPARATOR)]
        else:
            return value, [(None, ("not_text_list", {}))]
        return items([p.strip() for p in parts if p.strip()])
    return check


def _key(value: object) -> tuple[object, Problem | None]:
    cleaned, problem = text(MAX_KEY)(value)
    return (cleaned, problem) if problem else slug(cleaned)


def _year(value: object) -> tuple[object, Problem | None]:
    """A year as a number or four digits."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) == 4:
        value = int(value.strip())
    return year(value)


_WORDS = {"1": True, "true": True, "yes": True, "y": True, "0": False, "false": False, "no": False, "n": False}


def _ballad(value: object) -> tuple[object, Problem | None]:
    """True/false, 1/0, or a yes/no word."""
    if isinstance(value, str):
        value = _WORDS.get(value.strip().lower(), value)
    elif isinstance(value, int) and not isinstance(value, bool):
        value = {1: True, 0: False}.get(value, value)
    return flag(value)


# The fields of a record, in the order their problems are reported.
RECORD: Spec = {
    "title": Field(one(text(LIMITS["title"])), required=True),
    "artists": Field(_names(LIMITS["artist"], MAX_ARTISTS), required=True),
    "drama": Field(one(text(LIMITS["drama"])), required=True),
    "key": Field(one(_key)),
    "hangul": Field(one(text(LIMITS["hangul"]))),
    "alt_titles": Field(_names(LIMITS["title"], MAX_TAGS)),
    "year": Field(one(_year)),
    "release_date": Field(one(date)),
    "description": Field(one(text(LIMITS["description"]))),
    "styles": Field(_names(LIMITS["tag"], MAX_TAGS)),
    "moods": Field(_names(LIMITS["tag"], MAX_TAGS)),
    "ballad": Field(one(_ballad)),
    "cover_url": Field(one(web_address(LIMITS["cover_url"]))),
    "recordings": Field(_separated(listed(mbid, most=MAX_TAGS, fold=str.lower))),
}


def _blank(value: object) -> bool:
    """No value: absent, a blank cell, or only separators (a wrong type is reported as such)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.replace(LIST_SEPARATOR, "").strip()
    if isinstance(value, list):
        return all(isinstance(v, str) and not v.replace(LIST_SEPARATOR, "").strip() for v in value)
    return False


def _entry(row: Mapping[str, object]) -> dict[str, object]:
    """The row with its column names folded (case, spaces) and blank values as None; an unknown
    column keeps its own name, to be reported as it was written."""
    entry: dict[str, object] = {}
    for raw_key, value in row.items():
        name = str(raw_key).strip().lower()
        if name in COLUMNS:
            entry[name] = None if _blank(value) else value
        else:
            entry[str(raw_key)] = value
    return entry


def record_from_mapping(row: Mapping[str, object], line: int, problems: list[RecordProblem], *,
                        unit: str = "line") -> SongRecord | None:
    """Validate one row (CSV dict, JSON object, /catalog add options); append problems; None if bad.

    Text fields take strings; list fields a string separated by ";" or a list of strings; `year`
    an integer or digits; `ballad` a boolean or yes/no words. Anything else is reported.
    """
    kept, findings = check_fields(_entry(row), RECORD, unknown="unknown_column")
    problems += [RecordProblem(line, name, PROBLEM_KEY + problem, params, item, unit)
                 for name, item, (problem, params) in findings]
    if findings:
        return None
    texts = cast(dict[str, str], {name: value for name, value in kept.items() if isinstance(value, str)})
    lists = cast(dict[str, list[str]], {name: value for name, value in kept.items() if isinstance(value, list)})
    ballad = kept.get("ballad")
    return SongRecord(
        key=texts.get("key", ""), title=texts["title"], artists=lists["artists"], drama=texts["drama"],
        hangul=texts.get("hangul", ""), alt_titles=lists.get("alt_titles", []),
        year=cast(int | None, kept.get("year")), release_date=texts.get("release_date", ""),
        description=texts.get("description", ""),
        styles=[s.lower() for s in lists.get("styles", [])], moods=[m.lower() for m in lists.get("moods", [])],
        ballad=ballad if isinstance(ballad, bool) else True,
        cover_url=texts.get("cover_url", ""), recordings=lists.get("recordings", []),
    )


def records_from_rows(rows: list[tuple[int, Mapping[str, object]]], problems: list[RecordProblem], *, unit: str = "line"
                      ) -> list[SongRecord]:
    """Validate every row (line or song number, mapping), then the rows together: one song (title
    and drama) or one key twice is reported at its second row. Appends problems; returns the good records."""
    duplicate_row, duplicate_key = ("duplicate_song", "duplicate_key_song") if unit == "song" else (
        "duplicate_row", "duplicate_key")
    records: list[SongRecord] = []
    seen: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for line, row in rows:
        record = record_from_mapping(row, line, problems, unit=unit)
        if record is None:
            continue
        identity = compact(record.title) + "|" + compact(record.drama)
        if identity in seen:
            problems.append(RecordProblem(line, "title", PROBLEM_KEY + duplicate_row, {"other": seen[identity]},
                                          unit=unit))
            continue
        slug = record.slug()
        if slug in slugs:  # two songs, one key: the second would overwrite the first
            problems.append(RecordProblem(line, "key", PROBLEM_KEY + duplicate_key, {"other": slugs[slug]}, unit=unit))
            continue
        seen[identity] = slugs[slug] = line
        records.append(record)
    return records
