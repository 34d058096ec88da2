"""Load and validate the human-edited seed catalog (TOML) into typed entries (`models.Seed*`).

Every problem is reported with the file, the entry and the field, all at once, so an editor
fixes a broken file in one pass: `catalog.toml: songs[3] (key 'orbit'): field 'drama':
unknown drama 'the-king'`. Whether the text is right (no garble from the source articles, our own
words) is the shipped catalog's test, not the loader's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..i18n import t
from .models import (
    ARTIST_KINDS,
    CREDIT_ROLES,
    FACT_KINDS,
    SeedActor,
    SeedArtist,
    SeedCatalog,
    SeedCredit,
    SeedDrama,
    SeedFact,
    SeedSong,
    SeedSource,
    SeedSupport,
)
from .text import compact
from .validation import (
    PROBLEM_KEY,
    Check,
    Field,
    Problem,
    RecordProblem,
    Rule,
    Spec,
    check_fields,
    choice,
    date,
    flag,
    listed,
    number,
    one,
    slug,
    text,
    year,
)

MAX_TEXT = 500          # characters of one text of the seed file (an import's are shorter: `records`)


class CatalogError(ValueError):
    """The seed file is invalid; `found` lists every problem at its place, `problems` as the operator
    reads them (English): `catalog.toml: songs[3] (key 'orbit'): field 'drama': unknown drama 'the-king'`."""

    def __init__(self, found: list[RecordProblem]) -> None:
        self.found = found
        self.problems = [describe(problem) for problem in found]
        super().__init__("invalid catalog:\n" + "\n".join(f"- {p}" for p in self.problems))


def describe(problem: RecordProblem) -> str:
    """A seed file's problem in English: file, entry, field, then what is wrong (with the list item)."""
    message = t(problem.key, "en", **problem.params)
    if problem.item is not None:
        message = t(PROBLEM_KEY + "with_item", "en", item=problem.item, message=message)
    place = [problem.file, problem.entry, f"field {problem.field!r}" if problem.field else ""]
    return ": ".join([*(p for p in place if p), message])


def shipped_catalog_path() -> Path:
    """The catalog installed with the package, wherever the bot runs from."""
    return Path(str(resources.files("ostbot_data").joinpath("catalog.toml")))


# -- the fields of each section, checked by the catalog's one validator --------------------------

def _table(value: object) -> tuple[object, Problem | None]:
    """A table of a list (a fact, a mood's support): its own fields are checked at its own place."""
    return value, None if isinstance(value, dict) else ("not_table", {})


def _credit(value: object) -> tuple[object, Problem | None]:
    if not isinstance(value, dict) or set(value) - {"artist", "role"} or "artist" not in value:
        return value, ("bad_credit", {})
    problem = slug(value["artist"])[1] or choice(CREDIT_ROLES)(value.get("role", "main"))[1]
    return value, problem


def _exact(value: str) -> str:
    return value


def _list(rule: Rule, least: int = 0) -> Check:
    """A list of the seed file: its items are told apart as written (the spellings of one name,
    "Baek Ji-young" and "Baek Ji Young", are all listed, for search to find each)."""
    return listed(rule, least=least, fold=_exact)


_TEXT = Field(one(text(MAX_TEXT)))
_NEEDED_TEXT = Field(one(text(MAX_TEXT)), required=True)
_TEXTS = Field(_list(text(MAX_TEXT)))
_TAGS = Field(_list(text(MAX_TEXT), least=1), required=True)
_KEY = Field(one(slug), required=True)
_SOURCES = Field(_list(slug, least=1), required=True)
_TABLES = Field(_list(_table))
_NAMES: Spec = {"key": _KEY, "name": _NEEDED_TEXT, "hangul": _TEXT, "names": _TEXTS}
# An article without a title says `untitled = true` and what it is `about` (never a made-up title);
# `file` names its text under data/seeds/, which the tests check every quote against.
SOURCE: Spec = {
    "key": _KEY, "title": _TEXT, "untitled": Field(one(flag)), "about": _TEXT, "about_ko": _TEXT,
    "publisher": _TEXT, "author": _TEXT, "date": Field(one(date)), "note": _TEXT, "file": _TEXT,
}
# `*_ko`: the Korean text beside the English, written from the same facts.
# `quote`: the words of the article (`source`) the fact rests on, as the article writes them.
FACT: Spec = {"kind": Field(one(choice(FACT_KINDS)), required=True), "text": _NEEDED_TEXT, "text_ko": _TEXT,
              "source": Field(one(slug), required=True), "quote": _TEXT}
# One mood tag of a song, with the article words that support it.
SUPPORT: Spec = {"mood": _NEEDED_TEXT, "source": Field(one(slug), required=True), "quote": _NEEDED_TEXT}
DRAMA: Spec = {**_NAMES, "year": Field(one(year)), "network": _TEXT, "kind": _TEXT, "lead_actors": _TEXTS,
               "sources": _SOURCES, "facts": _TABLES}
ARTIST: Spec = {**_NAMES, "kind": Field(one(choice(ARTIST_KINDS)), required=True),
                "groups": Field(_list(slug)), "sources": _SOURCES, "facts": _TABLES}
SONG: Spec = {
    "key": _KEY, "title": _NEEDED_TEXT, "hangul": _TEXT, "hangul_note": _TEXT, "titles": _TEXTS,
    "drama": Field(one(slug), required=True), "artists": Field(_list(_credit, least=1), required=True),
    "year": Field(one(year)), "release_date": Field(one(date)), "episode": Field(one(number(1, 500))),
    "description": _NEEDED_TEXT, "description_ko": _TEXT,
    "styles": _TAGS, "moods": _TAGS, "ballad": Field(one(flag), required=True),
    "mood_support": _TABLES, "sources": _SOURCES, "facts": _TABLES,
}
ACTOR: Spec = _NAMES
SECTIONS: dict[str, Spec] = {"sources": SOURCE, "actors": ACTOR, "dramas": DRAMA, "artists": ARTIST, "songs": SONG}
# The tables inside an entry, each checked at its own place ("songs[3] (key 'orbit'): facts[0]").
INNER: dict[str, Spec] = {"facts": FACT, "mood_support": SUPPORT}
ENTRY_TYPES: dict[str, type] = {"sources": SeedSource, "actors": SeedActor, "dramas": SeedDrama,
                                "artists": SeedArtist, "songs": SeedSong}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where in the file: the section (`unit`), the entry's index in it (`line`) and its label."""

    unit: str = "file"
    line: int = 0
    entry: str = ""

    def inner(self, name: str, index: int) -> _Place:
        return _Place(self.unit, self.line, f"{self.entry}: {name}[{index}]")


@dataclass
class _Report:
    """The problems of one file, each at its place."""

    file: str
    found: list[RecordProblem] = field(default_factory=list)

    def add(self, at: _Place, name: str, problem: str, item: str | None = None, **params: object) -> None:
        self.found.append(RecordProblem(at.line, name, PROBLEM_KEY + problem, params, item, at.unit,
                                        self.file, at.entry))

    def check(self, at: _Place, entry: dict[str, Any], spec: Spec) -> bool:
        """Check one table's fields against `spec`; True when it has no problem."""
        _, findings = check_fields(entry, spec)
        for name, item, (problem, params) in findings:
            self.add(at, name, problem, item, **params)
        return not findings


def _typed(section: str, entry: dict[str, Any]) -> Any:
    """A checked table as its typed entry: lists become tuples, facts and credits records, dates dates."""
    values: dict[str, Any] = {}
    for name, value in entry.items():
        if name == "facts":
            value = tuple(SeedFact(**fact) for fact in value)
        elif name == "artists" and section == "songs":
            value = tuple(SeedCredit(**credit) for credit in value)
        elif name == "mood_support":
            value = tuple(SeedSupport(**support) for support in value)
        elif isinstance(value, list):
            value = tuple(value)
        elif name in ("date", "release_date") and isinstance(value, str):
            value = dt.date.fromisoformat(value.strip())
        values[name] = value
    return ENTRY_TYPES[section](**values)


def _check_mood_support(at: _Place, song: dict[str, Any], sources: set[str], report: _Report) -> None:
    """Each mood backed at most once, by one of the song's moods and a known article."""
    seen: set[str] = set()
    for index, support in enumerate(song.get("mood_support", [])):
        place = at.inner("mood_support", index)
        if support["mood"] not in song["moods"]:
            report.add(place, "mood", "not_song_mood", mood=support["mood"])
        if support["mood"] in seen:
            report.add(place, "mood", "mood_twice", mood=support["mood"])
        seen.add(support["mood"])
        if support["source"] not in sources:
            report.add(place, "source", "unknown_source", value=support["source"])


def parse_catalog(text: str, filename: str = "catalog.toml") -> SeedCatalog:
    """Validate seed text; raise CatalogError naming every bad file/entry/field."""
    report = _Report(filename)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        report.add(_Place(), "", "bad_toml", error=str(exc))
        raise CatalogError(report.found) from None
    for name in sorted(set(raw) - {"version", *SECTIONS}):
        report.add(_Place(entry=f"top-level {name!r}"), "", "unknown_section")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        report.add(_Place(), "version", "bad_version")
    keys: dict[str, set[str]] = {section: set() for section in SECTIONS}
    valid = {section: _check_section(report, section, raw.get(section, []), keys[section]) for section in SECTIONS}
    _check_references(report, valid, keys)
    if report.found:
        raise CatalogError(report.found)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert isinstance(version, int)
    return SeedCatalog(version=version, digest=digest,
                       **{section: [_typed(section, entry) for entry in entries] for section, entries in valid.items()})


def _entry_place(section: str, index: int, entry: object) -> _Place:
    label = entry.get("key") if isinstance(entry, dict) else None
    return _Place(section, index, f"{section}[{index}]" + (f" (key {label!r})" if label else ""))


def _check_inner(report: _Report, at: _Place, entry: dict[str, Any]) -> set[str]:
    """The tables inside an entry (facts, mood support), each at its own place; the names of those
    with a problem."""
    bad: set[str] = set()
    for name, spec in INNER.items():
        for index, table in enumerate(entry.get(name, [])):
            if not report.check(at.inner(name, index), table, spec):
                bad.add(name)
    return bad


def _check_section(report: _Report, section: str, entries: Any, seen: set[str]) -> list[dict[str, Any]]:
    """The section's entries that pass their own checks (fields, unique keys and names); the others'
    problems reported, and every well-formed key added to `seen`."""
    if not isinstance(entries, list):
        report.add(_Place(section, entry=section), "", "not_tables", section=section)
        return []
    names_seen: dict[str, str] = {}
    valid: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        at = _entry_place(section, index, entry)
        if not isinstance(entry, dict):
            report.add(at, "", "not_table")
            continue
        if not report.check(at, entry, SECTIONS[section]):
            continue
        if entry["key"] in seen:
            report.add(at, "key", "duplicate_entry_key", value=entry["key"])
            continue
        seen.add(entry["key"])
        display: str = entry.get("name") or entry.get("title") or ""
        if section == "sources" and not display and not (entry.get("untitled") and entry.get("about")):
            report.add(at, "title", "untitled_source")
            continue
        if section != "sources":
            folded = compact(display) + ("" if section != "songs" else "|" + entry["drama"])
            if folded in names_seen:
                report.add(at, "", "same_name", other=names_seen[folded])
                continue
            names_seen[folded] = entry["key"]
        # A fact's problem is its own; a mood's support is checked against the song's moods, so needs it whole.
        if "mood_support" not in _check_inner(report, at, entry):
            valid.append(entry)
    return valid


_UNKNOWN = {"sources": "unknown_source", "dramas": "unknown_drama", "artists": "unknown_artist"}


def _check_references(report: _Report, valid: dict[str, list[dict[str, Any]]], keys: dict[str, set[str]]) -> None:
    """Every key an entry names (sources, drama, artists, groups, lead actors) is an entry of the file."""

    def ref(at: _Place, name: str, value: str, section: str) -> None:
        if value not in keys[section]:
            report.add(at, name, _UNKNOWN[section], value=value)

    actor_names = {compact(name) for a in valid["actors"] for name in (a["name"], *a.get("names", []))}
    for section in ("dramas", "artists", "songs"):
        for index, entry in enumerate(valid[section]):
            at = _entry_place(section, index, entry)
            for actor in entry.get("lead_actors", []):
                if compact(actor) not in actor_names:
                    report.add(at, "lead_actors", "unknown_actor", value=actor)
            for src in entry["sources"]:
                ref(at, "sources", src, "sources")
            for f_index, fact in enumerate(entry.get("facts", [])):
                if isinstance(fact, dict) and isinstance(fact.get("source"), str):
                    ref(at.inner("facts", f_index), "source", fact["source"], "sources")
            for group in entry.get("groups", []):
                ref(at, "groups", group, "artists")
                if group == entry["key"]:
                    report.add(at, "groups", "own_group")
            if section == "songs":
                ref(at, "drama", entry["drama"], "dramas")
                for credit in entry["artists"]:
                    ref(at, "artists", credit["artist"], "artists")
                _check_mood_support(at, entry, keys["sources"], report)

def load_catalog(path: Path | None = None) -> SeedCatalog:
    path = path or shipped_catalog_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        report = _Report(str(path))
        report.add(_Place(), "", "file_not_found")
        raise CatalogError(report.found) from None
    except UnicodeDecodeError as exc:
        report = _Report(path.name)
        report.add(_Place(), "", "not_utf8_text", byte=exc.start + 1)
        raise CatalogError(report.found) from None
    parsed = _parse_cached(text, path.name)
    # The entries are frozen; fresh lists keep a caller's changes to its copy out of the next one's.
    return dataclasses.replace(parsed, sources=list(parsed.sources), actors=list(parsed.actors),
                               dramas=list(parsed.dramas), artists=list(parsed.artists), songs=list(parsed.songs))


@functools.lru_cache(maxsize=4)
def _parse_cached(text: str, filename: str) -> SeedCatalog:
    """Every bot start, `db check` and `db import` reads the same file: parse and validate a given text once
    per process (about 60 ms), and keep no more than a few texts."""
    return parse_catalog(text, filename=filename)
