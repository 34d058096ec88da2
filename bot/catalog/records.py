"""Flat song records: the import/export format for `ostbot db` and `/catalog`.

One record per song, names instead of ids, so a CSV made by hand works. Parsing never raises:
it reports every bad row by line (CSV) or entry (JSON) and field, and returns nothing partial.
Each problem carries a message key and its parameters; the reader's language is chosen where
it is shown. Export escapes cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from .text import compact, normalize

COLUMNS = ("key", "title", "hangul", "alt_titles", "artists", "drama", "year", "release_date",
           "description", "styles", "moods", "ballad")
REQUIRED = ("title", "artists", "drama")
LIST_SEPARATOR = ";"
LIMITS = {"title": 100, "hangul": 100, "drama": 100, "artist": 80, "description": 300, "tag": 30}
MAX_ARTISTS = 8
MAX_TAGS = 10
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
ITEM_SHOWN = 40          # characters of a bad list entry quoted in its problem

_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|</[\w -]+:\d+>", re.I)
_MARKDOWN = re.compile(r"```|`|\*\*|__|~~|\|\||\[[^\]]*\]\([^)]*\)|^\s*(#{1,3}\s|>\s|-#\s)|https?://")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_P = "admin.problem."    # message keys of problems live in the admin message file


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One thing wrong with an imported file or a typed-in song.

    `key` is a message key (`t(key, lang, **params)`); `item` is the list entry it is about (an
    artist, a tag), if any; `unit` says whether `line` counts CSV lines or JSON song entries.
    """

    line: int
    field: str
    key: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
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


def clean_text(value: str, limit: int) -> tuple[str, Problem | None]:
    """Trim and check user text: (cleaned, (problem name, params) or None). No mentions, no markdown tricks."""
    text = " ".join(value.split())
    if len(text) > limit:
        return text, ("too_long", {"limit": limit})
    if any(ord(ch) < 32 for ch in value if ch not in "\t\n\r"):
        return text, ("control", {})
    if _MENTION.search(text):
        return text, ("mentions", {})
    if _MARKDOWN.search(text):
        return text, ("markdown", {})
    if text and not _ASCII_ALNUM.search(text) and not compact(text):  # compact is the slow, exact test
        return text, ("no_letters", {})
    return text, None


def unescape_cell(value: str) -> str:
    """Undo `escape_cell`: a leading apostrophe before a formula character (or another apostrophe)."""
    if len(value) > 1 and value[0] == ESCAPE and (value[1] in FORMULA_START or value[1] == ESCAPE):
        return value[1:]
    return value


def escape_cell(value: str) -> str:
    """Make a CSV cell inert in a spreadsheet: `'=x`. Exactly undone by `unescape_cell`."""
    if value.startswith(FORMULA_START) or unescape_cell(value) != value:
        return ESCAPE + value
    return value


def record_from_mapping(row: Mapping, line: int, problems: list[RecordProblem], *,
                        unit: str = "line") -> SongRecord | None:
    """Validate one row (CSV dict, JSON object, /catalog add options); append problems; None if bad.

    Text fields take strings; list fields a string separated by ";" or a list of strings; `year`
    an integer or digits; `ballad` a boolean or yes/no words. Anything else is reported.
    """
    bad = len(problems)

    def add(name: str, key: str, item: str | None = None, **params: object) -> None:
        problems.append(RecordProblem(line, name, _P + key, params, item, unit))

    clean: dict[str, object] = {}
    for raw_key, value in row.items():
        name = str(raw_key).strip().lower()
        if name not in COLUMNS:
            add(str(raw_key)[:ITEM_SHOWN], "unknown_column")
        else:
            clean[name] = value
    for name in REQUIRED:
        if _missing(clean.get(name), listed=name == "artists"):
            add(name, "required")

    def text(name: str, limit: int) -> str:
        raw = clean.get(name)
        if raw is None:
            return ""
        if not isinstance(raw, str):
            add(name, "not_text")
            return ""
        value, problem = clean_text(raw, limit)
        if problem:
            add(name, problem[0], **problem[1])
        return value

    def names(name: str, limit: int, most: int) -> list[str]:
        raw = clean.get(name)
        if raw is None:
            return []
        if isinstance(raw, str):
            parts = raw.split(LIST_SEPARATOR)
        elif isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            parts = [piece for v in raw for piece in v.split(LIST_SEPARATOR)]
        else:
            add(name, "not_text_list")
            return []
        items = [p.strip() for p in parts if p.strip()]
        if len(items) > most:
            add(name, "too_many", most=most)
            items = items[:most + 1]
        out = []
        for item in items:
            value, problem = clean_text(item, limit)
            if problem:
                add(name, problem[0], item=value[:ITEM_SHOWN], **problem[1])
            out.append(value)
        if len({compact(v) for v in out}) != len(out):
            add(name, "duplicate_entries")
        return out

    title = text("title", LIMITS["title"])
    drama = text("drama", LIMITS["drama"])
    artists = names("artists", LIMITS["artist"], MAX_ARTISTS)
    key = text("key", 80)
    if key and make_slug(key) != key:
        add("key", "bad_key")
    year = _year(clean.get("year"))
    if year is False:
        add("year", "bad_year")
        year = None
    raw_release = clean.get("release_date")
    release = raw_release.strip() if isinstance(raw_release, str) else ""
    if (release or raw_release not in (None, "")) and not _is_date(release):
        add("release_date", "bad_date")
    ballad = _flag(clean.get("ballad"))
    if ballad is None:
        add("ballad", "bad_bool")
    record = SongRecord(
        key=key, title=title, artists=artists, drama=drama,
        hangul=text("hangul", LIMITS["hangul"]),
        alt_titles=names("alt_titles", LIMITS["title"], MAX_TAGS),
        year=year, release_date=release,
        description=text("description", LIMITS["description"]),
        styles=[s.lower() for s in names("styles", LIMITS["tag"], MAX_TAGS)],
        moods=[m.lower() for m in names("moods", LIMITS["tag"], MAX_TAGS)],
        ballad=bool(ballad),
    )
    return None if len(problems) > bad else record


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


# -- reading a file ------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str | None, RecordProblem | None]:
    if data.startswith(b"PK\x03\x04"):
        return None, RecordProblem(1, "file", _P + "spreadsheet")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, RecordProblem(1, "file", _P + "utf16")
    sample = data[:4096]
    if sample.count(0) * 4 >= len(sample) > 0:   # "Unicode text" without a BOM: every other byte is 0
        return None, RecordProblem(1, "file", _P + "utf16")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, RecordProblem(line, "file", _P + "not_utf8", {"byte": exc.start + 1})


class _JsonObject(dict):
    """A JSON object that remembers the keys it had twice."""

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__()
        self.twice: list[str] = []
        for key, value in pairs:
            if key in self:
                self.twice.append(key)
            self[key] = value


def _json_rows(text: str, problems: list[RecordProblem]) -> list[tuple[int, Mapping]] | None:
    try:
        loaded = json.loads(text, object_pairs_hook=_JsonObject)
    except json.JSONDecodeError as exc:
        problems.append(RecordProblem(exc.lineno, "file", _P + "bad_json", {"column": exc.colno}))
        return None
    except RecursionError:
        problems.append(RecordProblem(1, "file", _P + "json_nested"))
        return None
    except ValueError:  # an integer with thousands of digits
        problems.append(RecordProblem(1, "file", _P + "json_number"))
        return None
    if isinstance(loaded, dict):
        loaded = loaded.get("songs")
    if not isinstance(loaded, list):
        problems.append(RecordProblem(1, "file", _P + "json_shape"))
        return None
    rows = []
    for index, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            problems.append(RecordProblem(index, "song", _P + "not_object", unit="song"))
            continue
        for name in getattr(item, "twice", ()):
            problems.append(RecordProblem(index, str(name)[:ITEM_SHOWN], _P + "key_twice", unit="song"))
        rows.append((index, item))
    return rows


def _csv_rows(text: str, problems: list[RecordProblem]) -> list[tuple[int, Mapping]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[int, Mapping]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RecordProblem(start, "file", _P + _csv_error_key(str(exc))))
            return None
        if not any(c.strip() for c in cells):
            continue  # a blank line, or one of only commas
        if not header:
            header = [c.replace("\ufeff", "").strip().lower() for c in cells]
            if not _check_header(header, problems):
                return None
            continue
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            problems.append(RecordProblem(start, "row", _P + "extra_cells"))
        row: dict[str, str | None] = {}
        for number, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
            if name:
                row[name] = unescape_cell(cell)
            elif cell.strip():
                problems.append(RecordProblem(start, "row", _P + "unnamed_cell", {"number": number}))
        rows.append((start, row))
    if not header:
        problems.append(RecordProblem(1, "file", _P + "no_header"))
        return None
    return rows


def _csv_error_key(message: str) -> str:
    if "field larger than field limit" in message:
        return "huge_cell"
    if "unexpected end of data" in message:
        return "unclosed_quote"
    if "expected after" in message:
        return "text_after_quote"
    return "bad_csv"


def _check_header(header: list[str], problems: list[RecordProblem]) -> bool:
    named = [h for h in header if h]
    if len(named) == 1 and any(sep in named[0] for sep in (";", "\t")):
        problems.append(RecordProblem(1, "header", _P + "wrong_separator"))
        return False
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        problems.append(RecordProblem(1, "header", _P + "missing_columns",
                                      {"columns": ", ".join(missing), "count": len(missing)}))
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        problems.append(RecordProblem(1, "header", _P + "column_twice", {"columns": ", ".join(twice)[:200]}))
    unknown = [h for h in named if h not in COLUMNS]
    if unknown:
        problems.append(RecordProblem(1, "header", _P + "unknown_columns",
                                      {"columns": ", ".join(h[:ITEM_SHOWN] for h in unknown[:10]),
                                       "count": len(unknown)}))
    return not problems


def parse_records(data: bytes, filename: str = "", *, max_rows: int | None = None
                  ) -> tuple[list[SongRecord], list[RecordProblem]]:
    """Parse CSV (with a header row) or JSON. Any problem means: import nothing. Never raises."""
    problems: list[RecordProblem] = []
    text, problem = _decode(data)
    if problem is not None or text is None:
        return [], [problem] if problem else []
    name = filename.lower()
    is_json = name.endswith(".json") or (not name.endswith(".csv") and text.lstrip().startswith(("[", "{")))
    rows = _json_rows(text, problems) if is_json else _csv_rows(text, problems)
    if rows is None:
        return [], problems
    unit = "song" if is_json else "line"
    duplicate_row, duplicate_key = ("duplicate_song", "duplicate_key_song") if is_json else (
        "duplicate_row", "duplicate_key")
    if max_rows is not None and len(rows) > max_rows:
        return [], [RecordProblem(1, "file", _P + "too_many_rows", {"rows": len(rows), "limit": max_rows})]
    records: list[SongRecord] = []
    seen: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for line, row in rows:
        record = record_from_mapping(row, line, problems, unit=unit)
        if record is None:
            continue
        identity = compact(record.title) + "|" + compact(record.drama)
        if identity in seen:
            problems.append(RecordProblem(line, "title", _P + duplicate_row, {"other": seen[identity]}, unit=unit))
            continue
        slug = record.slug()
        if slug in slugs:  # two songs, one key: the second would overwrite the first
            problems.append(RecordProblem(line, "key", _P + duplicate_key, {"other": slugs[slug]}, unit=unit))
            continue
        seen[identity] = slugs[slug] = line
        records.append(record)
    if not rows and not problems:
        problems.append(RecordProblem(1, "file", _P + "no_songs"))
    return ([] if problems else records), problems


# -- writing a file ------------------------------------------------------------------------------

def records_to_csv(records: list[SongRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        values = asdict(record)
        row = []
        for column in COLUMNS:
            value = values[column]
            if isinstance(value, list):
                value = f"{LIST_SEPARATOR} ".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif value is None:
                value = ""
            row.append(escape_cell(str(value)))
        writer.writerow(row)
    return out.getvalue()


def records_to_json(records: list[SongRecord]) -> str:
    return json.dumps({"songs": [asdict(r) for r in records]}, ensure_ascii=False, indent=2) + "\n"
