"""Song record files: CSV and JSON read into records (checked by `records`) and written back.

Reading never raises: a file that is not text, not UTF-8, not CSV or JSON, or shaped wrongly is
reported by line (CSV) or song entry (JSON), and nothing partial is returned. Export escapes
cells that a spreadsheet would run as formulas; import removes the escape again.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Mapping
from dataclasses import asdict

from .records import COLUMNS, LIST_SEPARATOR, REQUIRED, SongRecord, records_from_rows
from .validation import ITEM_SHOWN, PROBLEM_KEY, RecordProblem

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


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


# -- reading a file ------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str | None, RecordProblem | None]:
    if data.startswith(b"PK\x03\x04"):
        return None, RecordProblem(1, "file", PROBLEM_KEY + "spreadsheet")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, RecordProblem(1, "file", PROBLEM_KEY + "utf16")
    sample = data[:4096]
    if sample.count(0) * 4 >= len(sample) > 0:   # "Unicode text" without a BOM: every other byte is 0
        return None, RecordProblem(1, "file", PROBLEM_KEY + "utf16")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, RecordProblem(line, "file", PROBLEM_KEY + "not_utf8", {"byte": exc.start + 1})


class _JsonObject(dict[str, object]):
    """A JSON object that remembers the keys it had twice."""

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__()
        self.twice: list[str] = []
        for key, value in pairs:
            if key in self:
                self.twice.append(key)
            self[key] = value


def _json_rows(text: str, problems: list[RecordProblem]) -> list[tuple[int, Mapping[str, object]]] | None:
    try:
        loaded = json.loads(text, object_pairs_hook=_JsonObject)
    except json.JSONDecodeError as exc:
        problems.append(RecordProblem(exc.lineno, "file", PROBLEM_KEY + "bad_json", {"column": exc.colno}))
        return None
    except RecursionError:
        problems.append(RecordProblem(1, "file", PROBLEM_KEY + "json_nested"))
        return None
    except ValueError:  # an integer with thousands of digits
        problems.append(RecordProblem(1, "file", PROBLEM_KEY + "json_number"))
        return None
    if isinstance(loaded, dict):
        loaded = loaded.get("songs")
    if not isinstance(loaded, list):
        problems.append(RecordProblem(1, "file", PROBLEM_KEY + "json_shape"))
        return None
    rows: list[tuple[int, Mapping[str, object]]] = []
    for index, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            problems.append(RecordProblem(index, "song", PROBLEM_KEY + "not_object", unit="song"))
            continue
        for name in getattr(item, "twice", ()):
            problems.append(RecordProblem(index, str(name)[:ITEM_SHOWN], PROBLEM_KEY + "key_twice", unit="song"))
        rows.append((index, item))
    return rows


def _csv_rows(text: str, problems: list[RecordProblem]) -> list[tuple[int, Mapping[str, object]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[int, Mapping[str, object]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RecordProblem(start, "file", PROBLEM_KEY + _csv_error_key(str(exc))))
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
            problems.append(RecordProblem(start, "row", PROBLEM_KEY + "extra_cells"))
        row: dict[str, str | None] = {}
        for number, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
            if name:
                row[name] = unescape_cell(cell)
            elif cell.strip():
                problems.append(RecordProblem(start, "row", PROBLEM_KEY + "unnamed_cell", {"number": number}))
        rows.append((start, row))
    if not header:
        problems.append(RecordProblem(1, "file", PROBLEM_KEY + "no_header"))
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
        problems.append(RecordProblem(1, "header", PROBLEM_KEY + "wrong_separator"))
        return False
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        problems.append(RecordProblem(1, "header", PROBLEM_KEY + "missing_columns",
                                      {"columns": ", ".join(missing), "count": len(missing)}))
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        problems.append(RecordProblem(1, "header", PROBLEM_KEY + "column_twice", {"columns": ", ".join(twice)[:200]}))
    unknown = [h for h in named if h not in COLUMNS]
    if unknown:
        problems.append(RecordProblem(1, "header", PROBLEM_KEY + "unknown_columns",
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
    if max_rows is not None and len(rows) > max_rows:
        return [], [RecordProblem(1, "file", PROBLEM_KEY + "too_many_rows", {"rows": len(rows), "limit": max_rows})]
    records = records_from_rows(rows, problems, unit="song" if is_json else "line")
    if not rows and not problems:
        problems.append(RecordProblem(1, "file", PROBLEM_KEY + "no_songs"))
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
