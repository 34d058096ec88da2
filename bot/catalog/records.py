"""Flat song records and their validation: what `ostbot db import`, `/catalog import` and
`/catalog add` turn into songs.

One record per song, names instead of ids, so a CSV made by hand works. Validation never raises:
it reports every bad row by line (CSV) or entry (JSON) and field. Each problem carries a message
key and its parameters; the reader's language is chosen where it is shown. Reading and writing
files (CSV, JSON) is `recordfiles`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from .text import compact, normalize

COLUMNS = ("key", "title", "hangul", "alt_titles", "artists", "drama", "year", "release_date",
           "description", "styles", "moods", "ballad")
REQUIRED = ("title", "artists", "drama")
LIST_SEPARATOR = ";"
LIMITS = {"title": 100, "hangul": 100, "drama": 100, "artist": 80, "description": 300, "tag": 30}
MAX_ARTISTS = 8
MAX_TAGS = 10
ITEM_SHOWN = 40          # characters of a bad list entry quoted in its problem

# Discord markup that renders as something else than its text: mentions, channels, timestamps
# (<t:1700000000:R> becomes a live clock), custom emoji and slash-command mentions.
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|<t:-?\d+(:[a-z])?>|<a?:\w+:\d+>|</[\w -]+:\d+>", re.I)
# Direction overrides, embeddings and isolates: they reorder the rest of the line on every reader's
# screen, so a title could show as something else. Refused (not stripped): the manager learns why.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Invisible characters that carry nothing a reader sees: stripped. A zero-width joiner between two
# emoji (a family, a flag with a sign) is kept, as is the variation selector of an emoji.
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\u180e\ufeff]")
_ZWJ = "\u200d"
MAX_COMBINING = 2        # marks stacked on one letter: Vietnamese needs two; more is "zalgo" text
_MARKDOWN = re.compile(r"```|`|\*\*|__|~~|\|\||\[[^\]]*\]\([^)]*\)|^\s*(#{1,3}\s|>\s|-#\s)|https?://")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROBLEM_KEY = "admin.problem."    # message keys of problems live in the admin message file


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One thing wrong with an imported file or a typed-in song.

    `key` is a message key (`t(key, lang, **params)`); `item` is the list entry it is about (an
    artist, a tag), if any; `unit` says whether `line` counts CSV lines or JSON song entries.
    """

    line: int
    field: str
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)
    item: str | None = None
    unit: str = "line"


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

    def slug(self) -> str:
        return self.key or make_slug(f"{self.title} {self.drama}")


def make_slug(text: str) -> str:
    folded = _SLUG_CHARS.sub("-", normalize(text).encode("ascii", "ignore").decode()).strip("-")
    if not folded:  # all Hangul: keep it stable and unique enough
        folded = "k-" + "-".join(f"{ord(c):x}" for c in compact(text))[:60]
    return folded[:80].strip("-")


Problem = tuple[str, dict[str, object]]   # (message key, params)


_EMOJI_TRAIL = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"  # variation selector, skin tones


def _is_emoji(ch: str) -> bool:
    return ch >= "\u2190" and unicodedata.category(ch) == "So"


def strip_invisible(text: str) -> str:
    """`text` without zero-width characters, except a joiner between two emoji (👨‍👩‍👧 stays one)."""
    if not _ZERO_WIDTH.search(text):
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == _ZWJ:
            before = "".join(out).rstrip(_EMOJI_TRAIL)[-1:]
            if before and _is_emoji(before) and _is_emoji(text[i + 1:i + 2] or " "):
                out.append(ch)
        elif not _ZERO_WIDTH.match(ch):
            out.append(ch)
    return "".join(out)


def _stacked_marks(text: str) -> bool:
    """More than MAX_COMBINING combining marks in a row (counted on the composed form, so a
    decomposed Vietnamese letter is not penalised)."""
    run = 0
    for ch in unicodedata.normalize("NFC", text):
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me") else 0
        if run > MAX_COMBINING:
            return True
    return False


def clean_text(value: str, limit: int) -> tuple[str, Problem | None]:
    """Trim and check user text: (cleaned, (problem name, params) or None).

    Every text a manager adds (/catalog add, /catalog import, `ostbot db import`, a MusicBrainz
    fetch) goes through here. Zero-width characters are stripped (nobody sees them). Refused, with
    a problem naming why: direction controls, stacked combining marks, Discord mentions, timestamps,
    custom emoji and command mentions, links and markdown tricks."""
    text = " ".join(strip_invisible(value).split())
    if len(text) > limit:
        return text, ("too_long", {"limit": limit})
    if any(ord(ch) < 32 for ch in value if ch not in "\t\n\r"):
        return text, ("control", {})
    if text.isascii():  # most text: none of the Unicode checks can apply
        pass
    elif _DIRECTION.search(text):
        return text, ("direction", {})
    elif _stacked_marks(text):
        return text, ("stacked_marks", {"most": MAX_COMBINING})
    if _MENTION.search(text):
        return text, ("mentions", {})
    if _MARKDOWN.search(text):
        return text, ("markdown", {})
    if text and not _ASCII_ALNUM.search(text) and not compact(text):  # compact is the slow, exact test
        return text, ("no_letters", {})
    return text, None


def record_from_mapping(row: Mapping[str, object], line: int, problems: list[RecordProblem], *,
                        unit: str = "line") -> SongRecord | None:
    """Validate one row (CSV dict, JSON object, /catalog add options); append problems; None if bad.

    Text fields take strings; list fields a string separated by ";" or a list of strings; `year`
    an integer or digits; `ballad` a boolean or yes/no words. Anything else is reported.
    """
    bad = len(problems)
    checked = _Row(row, line, problems, unit)
    title = checked.text("title", LIMITS["title"])
    drama = checked.text("drama", LIMITS["drama"])
    artists = checked.names("artists", LIMITS["artist"], MAX_ARTISTS)
    key = checked.text("key", 80)
    if key and make_slug(key) != key:
        checked.add("key", "bad_key")
    year = _year(checked.clean.get("year"))
    if year is False:
        checked.add("year", "bad_year")
        year = None
    raw_release = checked.clean.get("release_date")
    release = raw_release.strip() if isinstance(raw_release, str) else ""
    if (release or raw_release not in (None, "")) and not _is_date(release):
        checked.add("release_date", "bad_date")
    ballad = _flag(checked.clean.get("ballad"))
    if ballad is None:
        checked.add("ballad", "bad_bool")
    record = SongRecord(
        key=key, title=title, artists=artists, drama=drama,
        hangul=checked.text("hangul", LIMITS["hangul"]),
        alt_titles=checked.names("alt_titles", LIMITS["title"], MAX_TAGS),
        year=year, release_date=release,
        description=checked.text("description", LIMITS["description"]),
        styles=[s.lower() for s in checked.names("styles", LIMITS["tag"], MAX_TAGS)],
        moods=[m.lower() for m in checked.names("moods", LIMITS["tag"], MAX_TAGS)],
        ballad=bool(ballad),
    )
    return None if len(problems) > bad else record


class _Row:
    """One row being checked: its known columns (`clean`), and the problems found, each at its place
    (the row's line or song number and the field)."""

    def __init__(self, row: Mapping[str, object], line: int, problems: list[RecordProblem], unit: str) -> None:
        self.line, self.problems, self.unit = line, problems, unit
        self.clean: dict[str, object] = {}
        for raw_key, value in row.items():
            name = str(raw_key).strip().lower()
            if name not in COLUMNS:
                self.add(str(raw_key)[:ITEM_SHOWN], "unknown_column")
            else:
                self.clean[name] = value
        for name in REQUIRED:
            if _missing(self.clean.get(name), listed=name == "artists"):
                self.add(name, "required")

    def add(self, name: str, key: str, item: str | None = None, **params: object) -> None:
        self.problems.append(RecordProblem(self.line, name, PROBLEM_KEY + key, params, item, self.unit))

    def text(self, name: str, limit: int) -> str:
        raw = self.clean.get(name)
        if raw is None:
            return ""
        if not isinstance(raw, str):
            self.add(name, "not_text")
            return ""
        value, problem = clean_text(raw, limit)
        if problem:
            self.add(name, problem[0], None, **problem[1])
        return value

    def names(self, name: str, limit: int, most: int) -> list[str]:
        raw = self.clean.get(name)
        if raw is None:
            return []
        if isinstance(raw, str):
            parts = raw.split(LIST_SEPARATOR)
        elif isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            parts = [piece for v in raw for piece in v.split(LIST_SEPARATOR)]
        else:
            self.add(name, "not_text_list")
            return []
        items = [p.strip() for p in parts if p.strip()]
        if len(items) > most:
            self.add(name, "too_many", most=most)
            items = items[:most + 1]
        out = []
        for item in items:
            value, problem = clean_text(item, limit)
            if problem:
                self.add(name, problem[0], item=value[:ITEM_SHOWN], **problem[1])
            out.append(value)
        if len({compact(v) for v in out}) != len(out):
            self.add(name, "duplicate_entries")
        return out


def _missing(value: object, *, listed: bool) -> bool:
    """Absent or blank (a wrong type is reported as such, not as missing)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not (value.replace(LIST_SEPARATOR, "") if listed else value).strip()
    if listed and isinstance(value, list):
        return all(isinstance(v, str) and not v.replace(LIST_SEPARATOR, "").strip() for v in value)
    return False


def _year(raw: object) -> int | bool | None:
    """The year, None when absent, False when bad."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        year = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) == 4:
        year = int(raw.strip())
    else:
        return False
    return year if 1950 <= year <= 2100 else False


def _is_date(text: str) -> bool:
    if not _ISO_DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _flag(raw: object) -> bool | None:
    """ballad: True/False, None when it is not a yes/no value. Absent means yes."""
    if raw is None:
        return True
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):
        return {1: True, 0: False}.get(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in ("", "1", "true", "yes", "y"):
            return True
        if word in ("0", "false", "no", "n"):
            return False
    return None


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
