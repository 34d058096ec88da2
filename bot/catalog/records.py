"""Flat song records: the import/export format for `ostbot db` and `/catalog`.

One record per song, names instead of ids, so a CSV made by hand works. Parsing reports
every bad row by line and field and returns nothing partial; export escapes cells that a
spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
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

_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|</[\w -]+:\d+>", re.I)
_MARKDOWN = re.compile(r"```|`|\*\*|__|~~|\|\||\[[^\]]*\]\([^)]*\)|^\s*(#{1,3}\s|>\s|-#\s)|https?://")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class RecordProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


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


def clean_text(value: str, name: str, limit: int) -> tuple[str, str | None]:
    """Trim and check user text: (cleaned, problem or None). No mentions, no markdown tricks."""
    text = " ".join(value.split())
    if len(text) > limit:
        return text, f"is longer than {limit} characters"
    if any(ord(ch) < 32 for ch in value if ch not in "\t\n\r"):
        return text, "contains control characters"
    if _MENTION.search(text):
        return text, "must not contain mentions (@everyone, @here, <@…>)"
    if _MARKDOWN.search(text):
        return text, "must not contain links or markdown formatting"
    if text and not compact(text):
        return text, "has no letters or digits"
    return text, None


def _split(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if value is None:
        return []
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]


def _unescape_cell(value: object) -> object:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def record_from_mapping(row: dict, line: int, problems: list[RecordProblem]) -> SongRecord | None:
    """Validate one row (CSV dict or JSON object); append problems; None if it is bad."""
    bad = len(problems)
    row = {str(k).strip().lower(): _unescape_cell(v) for k, v in row.items() if k is not None}
    for name in sorted(set(row) - set(COLUMNS)):
        problems.append(RecordProblem(line, name, "unknown column"))
    for name in REQUIRED:
        if not str(row.get(name) or "").strip() and not _split(row.get(name)):
            problems.append(RecordProblem(line, name, "is required"))

    def text(name: str, limit: int) -> str:
        raw = row.get(name)
        if raw is None:
            return ""
        if not isinstance(raw, str | int | float):
            problems.append(RecordProblem(line, name, "must be text"))
            return ""
        value, problem = clean_text(str(raw), name, limit)
        if problem:
            problems.append(RecordProblem(line, name, problem))
        return value

    def names(name: str, limit: int, most: int) -> list[str]:
        items = _split(row.get(name))
        if len(items) > most:
            problems.append(RecordProblem(line, name, f"has more than {most} entries"))
        out = []
        for item in items:
            value, problem = clean_text(item, name, limit)
            if problem:
                problems.append(RecordProblem(line, name, f"{value[:40]!r} {problem}"))
            out.append(value)
        if len({compact(v) for v in out}) != len(out):
            problems.append(RecordProblem(line, name, "has duplicate entries"))
        return out

    title = text("title", LIMITS["title"])
    drama = text("drama", LIMITS["drama"])
    artists = names("artists", LIMITS["artist"], MAX_ARTISTS)
    key = str(row.get("key") or "").strip()
    if key and make_slug(key) != key:
        problems.append(RecordProblem(line, "key", "must be lowercase letters, digits and hyphens"))
    year = None
    raw_year = row.get("year")
    if raw_year not in (None, ""):
        try:
            year = int(str(raw_year).strip())
            if not 1950 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(RecordProblem(line, "year", "must be a year from 1950 to 2100"))
    release = str(row.get("release_date") or "").strip()
    if release:
        try:
            dt.date.fromisoformat(release)
        except ValueError:
            problems.append(RecordProblem(line, "release_date", "must be a date as YYYY-MM-DD"))
    ballad_raw = row.get("ballad", True)
    if isinstance(ballad_raw, bool):
        ballad = ballad_raw
    elif str(ballad_raw).strip().lower() in ("", "1", "true", "yes", "y"):
        ballad = True
    elif str(ballad_raw).strip().lower() in ("0", "false", "no", "n"):
        ballad = False
    else:
        problems.append(RecordProblem(line, "ballad", "must be true or false"))
        ballad = True
    record = SongRecord(
        key=key, title=title, artists=artists, drama=drama,
        hangul=text("hangul", LIMITS["hangul"]),
        alt_titles=names("alt_titles", LIMITS["title"], MAX_TAGS),
        year=year, release_date=release,
        description=text("description", LIMITS["description"]),
        styles=[s.lower() for s in names("styles", LIMITS["tag"], MAX_TAGS)],
        moods=[m.lower() for m in names("moods", LIMITS["tag"], MAX_TAGS)],
        ballad=ballad,
    )
    return None if len(problems) > bad else record


def parse_records(data: bytes, filename: str = "", *, max_rows: int | None = None
                  ) -> tuple[list[SongRecord], list[RecordProblem]]:
    """Parse CSV (with a header row) or JSON. Any problem means: import nothing."""
    problems: list[RecordProblem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RecordProblem(1, "file", f"is not UTF-8 text (byte {exc.start})")]
    stripped = text.lstrip()
    is_json = filename.lower().endswith(".json") or stripped.startswith(("[", "{"))
    rows: list[tuple[int, dict]] = []
    if is_json:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [RecordProblem(exc.lineno, "file", f"is not valid JSON ({exc.msg})")]
        if isinstance(loaded, dict):
            loaded = loaded.get("songs")
        if not isinstance(loaded, list):
            return [], [RecordProblem(1, "file", "JSON must be a list of songs or {\"songs\": [...]}")]
        for index, item in enumerate(loaded, start=1):
            if not isinstance(item, dict):
                problems.append(RecordProblem(index, "song", "must be an object"))
            else:
                rows.append((index, item))
    else:
        csv.field_size_limit(1_000_000)
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            if not header:
                return [], [RecordProblem(1, "file", "is empty: a header row is required")]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                return [], [RecordProblem(1, "header", f"lacks column(s): {', '.join(missing)}")]
            if len(set(header)) != len(header):
                return [], [RecordProblem(1, "header", "has a column twice")]
            for row in reader:
                extra = row.pop(None, None)
                if extra:
                    problems.append(RecordProblem(reader.line_num, "row", "has more cells than the header"))
                rows.append((reader.line_num, row))
        except csv.Error as exc:
            return [], [RecordProblem(reader.line_num, "file", f"is not valid CSV ({exc})")]
    if max_rows is not None and len(rows) > max_rows:
        return [], [RecordProblem(1, "file", f"has {len(rows)} rows; the limit is {max_rows}")]
    records: list[SongRecord] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        record = record_from_mapping(row, line, problems)
        if record is None:
            continue
        identity = compact(record.title) + "|" + compact(record.drama)
        if identity in seen:
            problems.append(RecordProblem(line, "title", f"duplicates the song on line {seen[identity]}"))
            continue
        seen[identity] = line
        records.append(record)
    if not rows and not problems:
        problems.append(RecordProblem(1, "file", "has no songs"))
    return ([] if problems else records), problems


def _escape_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


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
            row.append(_escape_cell(str(value)))
        writer.writerow(row)
    return out.getvalue()


def records_to_json(records: list[SongRecord]) -> str:
    return json.dumps({"songs": [asdict(r) for r in records]}, ensure_ascii=False, indent=2) + "\n"
