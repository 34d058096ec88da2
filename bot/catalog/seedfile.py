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
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

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

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 500


class CatalogError(ValueError):
    """The seed file is invalid; `problems` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid catalog:\n" + "\n".join(f"- {p}" for p in problems))


def shipped_catalog_path() -> Path:
    """The catalog installed with the package, wherever the bot runs from."""
    return Path(str(resources.files("ostbot_data").joinpath("catalog.toml")))


# -- field checkers: each returns an error message or None -------------------------------

def _str(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > MAX_TEXT:
        return f"must be at most {MAX_TEXT} characters"
    return None


def _slug(value: Any) -> str | None:
    if not isinstance(value, str) or not SLUG.match(value):
        return "must be a slug (lowercase letters, digits and single hyphens)"
    return None


def _int(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
        return None
    return check


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _date(value: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "must be a date as YYYY-MM-DD"


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)}"
    return check


def _list(item: Callable[[Any], str | None], minimum: int = 0) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be a list"
        if len(value) < minimum:
            return f"needs at least {minimum} item(s)"
        for index, element in enumerate(value):
            problem = item(element)
            if problem:
                return f"item {index}: {problem}"
        if len({repr(v) for v in value}) != len(value):
            return "has duplicate items"
        return None
    return check


def _credit(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"artist", "role"} or "artist" not in value:
        return "must be { artist = \"key\", role = \"main|duet|featuring\" }"
    return _slug(value["artist"]) or (_choice(CREDIT_ROLES)(value.get("role", "main")))


Spec = dict[str, tuple[bool, Callable[[Any], str | None]]]  # field -> (required, checker)

_YEAR = _int(1950, 2100)
# An article without a title says `untitled = true` and what it is `about` (never a made-up title);
# `file` names its text under data/seeds/, which the tests check every quote against.
SOURCE: Spec = {
    "key": (True, _slug), "title": (False, _str), "untitled": (False, _bool), "about": (False, _str),
    "about_ko": (False, _str), "publisher": (False, _str), "author": (False, _str),
    "date": (False, _date), "note": (False, _str), "file": (False, _str),
}
# `*_ko`: the Korean text beside the English, written from the same facts.
# `quote`: the words of the article (`source`) the fact rests on, as the article writes them.
FACT: Spec = {"kind": (True, _choice(FACT_KINDS)), "text": (True, _str), "text_ko": (False, _str),
              "source": (True, _slug), "quote": (False, _str)}
# One mood tag of a song, with the article words that support it.
SUPPORT: Spec = {"mood": (True, _str), "source": (True, _slug), "quote": (True, _str)}


def _support(value: Any) -> str | None:
    if not isinstance(value, dict):
        return '{ mood = "...", source = "key", quote = "..." }'
    problems: list[str] = []
    _check_entry("", value, SUPPORT, problems)
    return "; ".join(p.lstrip(": ") for p in problems) or None


_FACTS = (False, lambda v: None if isinstance(v, list) else "must be a list of [[...facts]] tables")
DRAMA: Spec = {
    "key": (True, _slug), "name": (True, _str), "hangul": (False, _str), "names": (False, _list(_str)),
    "year": (False, _YEAR), "network": (False, _str), "kind": (False, _str),
    "lead_actors": (False, _list(_str)), "sources": (True, _list(_slug, 1)), "facts": _FACTS,
}
ARTIST: Spec = {
    "key": (True, _slug), "name": (True, _str), "hangul": (False, _str), "names": (False, _list(_str)),
    "kind": (True, _choice(ARTIST_KINDS)), "groups": (False, _list(_slug)),
    "sources": (True, _list(_slug, 1)), "facts": _FACTS,
}
SONG: Spec = {
    "key": (True, _slug), "title": (True, _str), "hangul": (False, _str), "hangul_note": (False, _str),
    "titles": (False, _list(_str)), "drama": (True, _slug), "artists": (True, _list(_credit, 1)),
    "year": (False, _YEAR),
    "release_date": (False, _date), "episode": (False, _int(1, 500)), "description": (True, _str),
    "description_ko": (False, _str),
    "styles": (True, _list(_str, 1)), "moods": (True, _list(_str, 1)), "ballad": (True, _bool),
    "mood_support": (False, _list(_support)), "sources": (True, _list(_slug, 1)), "facts": _FACTS,
}
ACTOR: Spec = {"key": (True, _slug), "name": (True, _str), "hangul": (False, _str), "names": (False, _list(_str))}
SECTIONS: dict[str, Spec] = {"sources": SOURCE, "actors": ACTOR, "dramas": DRAMA, "artists": ARTIST, "songs": SONG}
ENTRY_TYPES: dict[str, type] = {"sources": SeedSource, "actors": SeedActor, "dramas": SeedDrama,
                                "artists": SeedArtist, "songs": SeedSong}


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
            value = dt.date.fromisoformat(value)
        values[name] = value
    return ENTRY_TYPES[section](**values)


def _check_entry(where: str, entry: Any, spec: Spec, problems: list[str]) -> bool:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a table")
        return False
    ok = True
    for name in sorted(set(entry) - set(spec)):
        problems.append(f"{where}: field {name!r}: unknown field")
        ok = False
    for name, (required, check) in spec.items():
        if name not in entry:
            if required:
                problems.append(f"{where}: field {name!r}: missing")
                ok = False
            continue
        problem = check(entry[name])
        if problem:
            problems.append(f"{where}: field {name!r}: {problem}")
            ok = False
    return ok


def _check_mood_support(where: str, song: dict[str, Any], sources: set[str], problems: list[str]) -> None:
    """Each mood backed at most once, by one of the song's moods and a known article."""
    seen: set[str] = set()
    for index, support in enumerate(song.get("mood_support", [])):
        at = f"{where}: mood_support[{index}]"
        if support["mood"] not in song["moods"]:
            problems.append(f"{at}: field 'mood': {support['mood']!r} is not one of the song's moods")
        if support["mood"] in seen:
            problems.append(f"{at}: field 'mood': {support['mood']!r} is backed twice")
        seen.add(support["mood"])
        if support["source"] not in sources:
            problems.append(f"{at}: field 'source': unknown source {support['source']!r}")


def parse_catalog(text: str, filename: str = "catalog.toml") -> SeedCatalog:
    """Validate seed text; raise CatalogError naming every bad file/entry/field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError([f"{filename}: not valid TOML: {exc}"]) from None
    problems: list[str] = []
    for name in sorted(set(raw) - {"version", *SECTIONS}):
        problems.append(f"{filename}: top-level {name!r}: unknown section")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(f"{filename}: field 'version': must be a whole number >= 1")
    keys: dict[str, set[str]] = {section: set() for section in SECTIONS}
    valid = {section: _check_section(filename, section, raw.get(section, []), keys[section], problems)
             for section in SECTIONS}
    _check_references(filename, valid, keys, problems)
    if problems:
        raise CatalogError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert isinstance(version, int)
    return SeedCatalog(version=version, digest=digest,
                       **{section: [_typed(section, entry) for entry in entries] for section, entries in valid.items()})


def _check_section(filename: str, section: str, entries: Any, seen: set[str],
                   problems: list[str]) -> list[dict[str, Any]]:
    """The section's entries that pass their own checks (fields, unique keys and names); the others'
    problems appended, and every well-formed key added to `seen`."""
    if not isinstance(entries, list):
        problems.append(f"{filename}: {section}: must be an array of tables ([[{section}]])")
        return []
    names_seen: dict[str, str] = {}
    valid: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        label = entry.get("key") if isinstance(entry, dict) else None
        where = f"{filename}: {section}[{index}]" + (f" (key {label!r})" if label else "")
        if not _check_entry(where, entry, SECTIONS[section], problems):
            continue
        if entry["key"] in seen:
            problems.append(f"{where}: field 'key': duplicate key {entry['key']!r}")
            continue
        seen.add(entry["key"])
        display = entry.get("name") or entry.get("title")
        if section == "sources" and not display and not (entry.get("untitled") and entry.get("about")):
            problems.append(f"{where}: field 'title': missing (or say untitled = true and what it is about)")
            continue
        if section != "sources":
            folded = compact(display) + ("" if section != "songs" else "|" + entry["drama"])
            if folded in names_seen:
                problems.append(f"{where}: duplicate of {names_seen[folded]!r} (same name)")
                continue
            names_seen[folded] = entry["key"]
        for f_index, fact in enumerate(entry.get("facts", [])):
            _check_entry(f"{where}: facts[{f_index}]", fact, FACT, problems)
        valid.append(entry)
    return valid


def _check_references(filename: str, valid: dict[str, list[dict[str, Any]]], keys: dict[str, set[str]],
                      problems: list[str]) -> None:
    """Every key an entry names (sources, drama, artists, groups, lead actors) is an entry of the file."""

    def ref(where: str, field: str, value: str, section: str) -> None:
        if value not in keys[section]:
            problems.append(f"{where}: field {field!r}: unknown {section[:-1]} {value!r}")

    actor_names = {compact(name) for a in valid["actors"] for name in (a["name"], *a.get("names", []))}
    for index, entry in enumerate(valid["dramas"]):
        for actor in entry.get("lead_actors", []):
            if compact(actor) not in actor_names:
                problems.append(f"{filename}: dramas[{index}] (key {entry['key']!r}): field 'lead_actors': "
                                f"unknown actor {actor!r} (add it to [[actors]])")
    for section in ("dramas", "artists", "songs"):
        for index, entry in enumerate(valid[section]):
            where = f"{filename}: {section}[{index}] (key {entry['key']!r})"
            for src in entry["sources"]:
                ref(where, "sources", src, "sources")
            for f_index, fact in enumerate(entry.get("facts", [])):
                if isinstance(fact, dict) and isinstance(fact.get("source"), str):
                    ref(f"{where}: facts[{f_index}]", "source", fact["source"], "sources")
            if section == "artists":
                for group in entry.get("groups", []):
                    ref(where, "groups", group, "artists")
                    if group == entry["key"]:
                        problems.append(f"{where}: field 'groups': an artist cannot be its own group")
            if section == "songs":
                ref(where, "drama", entry["drama"], "dramas")
                for credit in entry["artists"]:
                    ref(where, "artists", credit["artist"], "artists")
                _check_mood_support(where, entry, keys["sources"], problems)


def load_catalog(path: Path | None = None) -> SeedCatalog:
    path = path or shipped_catalog_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([f"{path}: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise CatalogError([f"{path.name}: not UTF-8 text ({exc.reason})"]) from None
    parsed = _parse_cached(text, path.name)
    # The entries are frozen; fresh lists keep a caller's changes to its copy out of the next one's.
    return dataclasses.replace(parsed, sources=list(parsed.sources), actors=list(parsed.actors),
                               dramas=list(parsed.dramas), artists=list(parsed.artists), songs=list(parsed.songs))


@functools.lru_cache(maxsize=4)
def _parse_cached(text: str, filename: str) -> SeedCatalog:
    """Every bot start, `db check` and `db import` reads the same file: parse and validate a given text once
    per process (about 60 ms), and keep no more than a few texts."""
    return parse_catalog(text, filename=filename)
