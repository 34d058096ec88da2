"""Malformed catalog files (CSV/JSON) and formula-safe export, fuzzed with hypothesis.

Two layers. Directly against `bot.catalog.records`: arbitrary bytes, mutated good files and
arbitrary JSON never raise, and any problem means nothing is returned; every problem renders in
English and Korean. Through SimCord `/catalog import`: a table of named malformed files plus
hypothesis-mutated ones each get an ephemeral report within Discord's limits naming the line and
field, the store's content hash is unchanged, and nothing unexpected reaches the error handler.
Export: random valid songs, stored and exported, never give a spreadsheet a formula cell, and
export -> import gives the same songs back.

Decision on formula-looking text (`=CMD()`, `+1`, `-1`, `@SUM(`): a valid file that has it is
imported and stored as plain text (a song may be called "-1"); it is never evaluated, is escaped
in Discord replies like any catalog text, and is exported with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.recordfiles import FORMULA_START, escape_cell, parse_records, records_to_csv, unescape_cell
from bot.catalog.records import COLUMNS, SongRecord, record_from_mapping
from bot.catalog.text import compact
from bot.errors import UserError
from bot.i18n import t
from bot.ui.admin import import_report, problem_line
from tests.cogs.admin_helpers import reply
from tests.limits import assert_message_limits
from tests.reliability.conftest import swallowed
from tests.reliability.test_security import assert_no_mentions_allowed

HEADER = "title,artists,drama,year,description,moods\n"
GOOD = (HEADER
        + "Beautiful Days,Lee Mujin,Our Quiet Town,2024,A slow song for a slow town.,longing;warm\n"
        + "Winter Letter,Han Seoyun; Paul Kim,Snow Road,2023,,heartbreak\n")
MAX_ROWS = 5000
FUZZ = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


# name, filename, data, expected (unit, line, field, key) of the first problem
MALFORMED: list[tuple[str, str, bytes, tuple[str, int, str, str]]] = [
    ("latin-1", "songs.csv", (HEADER + "Café Song,B,C,,,\n").encode("latin-1"), ("line", 2, "file", "not_utf8")),
    ("utf-16 with BOM", "songs.csv", GOOD.encode("utf-16"), ("line", 1, "file", "utf16")),
    ("utf-16-le without BOM", "songs.csv", GOOD.encode("utf-16-le"), ("line", 1, "file", "utf16")),
    ("utf-16-be without BOM", "songs.csv", GOOD.encode("utf-16-be"), ("line", 1, "file", "utf16")),
    ("invalid utf-8 bytes", "songs.csv", GOOD.encode() + b"Bad \xc3\x28 Song,B,C,,,\n",
     ("line", 4, "file", "not_utf8")),
    ("xlsx", "songs.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, ("line", 1, "file", "spreadsheet")),
    ("unclosed quote", "songs.csv", csv_bytes("A,B,C,,,", '"Open,B,C,,,', "D,E,F,,,"), ("line", 3, "file",
                                                                                        "unclosed_quote")),
    ("text after a quote", "songs.csv", csv_bytes('A,B,C,,,', '"Quoted" tail,B,C,,,'), ("line", 3, "file",
                                                                                       "text_after_quote")),
    ("embedded newline, then a bad row", "songs.csv",
     csv_bytes('"Line one\nline two",B,C,,,', 'Next,B,"bad\n@everyone",,,'), ("line", 4, "drama", "mentions")),
    ("NUL byte in a cell", "songs.csv", csv_bytes("A\x00B,C,D,,,"), ("line", 2, "title", "control")),
    ("huge cell", "songs.csv", csv_bytes("A,B,C,," + "x" * 200_000 + ","), ("line", 2, "file", "huge_cell")),
    ("long description", "songs.csv", csv_bytes("A,B,C,," + "x" * 301 + ","), ("line", 2, "description",
                                                                                "too_long")),
    ("exact duplicate row", "songs.csv", csv_bytes("A,B,C,2020,,", "A,B,C,2020,,"), ("line", 3, "title",
                                                                                   "duplicate_row")),
    ("near duplicate (case, punctuation, width)", "songs.csv", csv_bytes("Snow Fall!,B,Goblin,,,",
                                                                         "ｓｎｏｗｆａｌｌ,B,goblin,,,"),
     ("line", 3, "title", "duplicate_row")),
    ("two songs one key", "songs.csv", csv_bytes("Love Me,B,Drama X,,,", "Love,B,Me Drama X,,,"),
     ("line", 3, "key", "duplicate_key")),
    ("missing column", "songs.csv", b"title,drama\nA,C\n", ("line", 1, "header", "missing_columns")),
    ("unknown column", "songs.csv", csv_bytes("A,B,C,,,,5", header=HEADER.strip() + ",rating\n"),
     ("line", 1, "header", "unknown_columns")),
    ("column twice", "songs.csv", b"title,artists,drama,title\nA,B,C,D\n", ("line", 1, "header", "column_twice")),
    ("more cells than the header", "songs.csv", csv_bytes("A,B,C,,,,surprise"), ("line", 2, "row", "extra_cells")),
    ("short row", "songs.csv", csv_bytes("Lonely Title"), ("line", 2, "artists", "required")),
    ("semicolon separated", "songs.csv", b"title;artists;drama\nA;B;C\n", ("line", 1, "header", "wrong_separator")),
    ("empty file", "songs.csv", b"", ("line", 1, "file", "no_header")),
    ("header only", "songs.csv", HEADER.encode(), ("line", 1, "file", "no_songs")),
    ("too many rows", "songs.csv", csv_bytes(*(f"S{i},A,D,,," for i in range(MAX_ROWS + 1))),
     ("line", 1, "file", "too_many_rows")),
    ("JSON object, not a list", "songs.json", b'{"title": "A", "artists": "B", "drama": "C"}',
     ("line", 1, "file", "json_shape")),
    ("JSON string", "songs.json", b'"hello"', ("line", 1, "file", "json_shape")),
    ("JSON syntax error", "songs.json", b'[{"title": "A",\n ]', ("line", 2, "file", "bad_json")),
    ("JSON wrong types", "songs.json",
     json.dumps([{"title": 5, "artists": {"a": 1}, "drama": ["x"], "year": "soon", "ballad": "maybe"}]).encode(),
     ("song", 1, "title", "not_text")),
    ("JSON entry not an object", "songs.json", b'[1, "two"]', ("song", 1, "song", "not_object")),
    ("JSON key twice", "songs.json", b'[{"title": "A", "title": "B", "artists": "C", "drama": "D"}]',
     ("song", 1, "title", "key_twice")),
    ("JSON deeply nested", "songs.json", nested(100_000), ("line", 1, "file", "json_nested")),
    ("JSON nested in a field", "songs.json",
     b'[{"title": ' + nested(500) + b', "artists": "B", "drama": "C"}]', ("song", 1, "title", "not_text")),
    ("JSON 5000-digit number", "songs.json",
     b'[{"title": "A", "artists": "B", "drama": "C", "year": 1' + b"0" * 5000 + b"}]",
     ("line", 1, "file", "json_number")),
    ("JSON NaN year", "songs.json", b'[{"title": "A", "artists": "B", "drama": "C", "year": NaN}]',
     ("song", 1, "year", "bad_year")),
]


# -- records.py directly ---------------------------------------------------------------------------

def assert_renders(problems) -> None:
    """Every problem has a message key that renders, in both languages, with a line and a field."""
    for problem in problems:
        assert problem.line >= 1 and problem.field and problem.unit in ("line", "song")
        for lang in ("en", "ko"):
            text = problem_line(problem, lang)
            assert str(problem.line) in text and len(text) < 400
        assert problem_line(problem, "en").startswith(f"{problem.unit} {problem.line}, ")


def assert_all_or_nothing(records, problems) -> None:
    assert (records == []) == bool(problems) or (records == [] and problems)
    if problems:
        assert records == []
    assert_renders(problems)


@pytest.mark.parametrize(("name", "filename", "data", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_each_malformed_file_names_line_field_and_reason(name, filename, data, expected):
    records, problems = parse_records(data, filename, max_rows=MAX_ROWS)
    assert records == [] and problems, name
    first = problems[0]
    assert (first.unit, first.line, first.field, first.key) == (*expected[:3], "admin.problem." + expected[3])
    assert_renders(problems)


def test_wrong_types_report_every_field():
    data = json.dumps([{"title": 5, "artists": {"a": 1}, "drama": ["x"], "year": "soon", "ballad": "maybe",
                        "release_date": 20170101, "styles": [1, 2], "colour": "red"}]).encode()
    _, problems = parse_records(data, "x.json")
    assert {(p.field, p.key.removeprefix("admin.problem.")) for p in problems} == {
        ("title", "not_text"), ("artists", "not_text_list"), ("drama", "not_text"), ("year", "bad_year"),
        ("ballad", "bad_bool"), ("release_date", "bad_date"), ("styles", "not_text_list"),
        ("colour", "unknown_column")}
    assert all(p.unit == "song" and p.line == 1 for p in problems)


def test_utf8_bom_embedded_quotes_and_newlines_are_fine():
    data = "\ufeff" + HEADER + '"Say ""Hi""",B,C,,"Two\nlines, one comma",\n'
    records, problems = parse_records(data.encode(), "songs.csv")
    assert problems == []
    assert (records[0].title, records[0].description) == ('Say "Hi"', "Two lines, one comma")


def test_near_but_not_equal_titles_are_two_songs():
    """Fuzzy near-duplicates inside one file are kept: a bulk file has no "did you mean" question."""
    records, problems = parse_records(csv_bytes("Snowfall,B,Goblin,,,", "Snowfall (Acoustic),B,Goblin,,,"))
    assert problems == [] and [r.title for r in records] == ["Snowfall", "Snowfall (Acoustic)"]


def test_formula_looking_text_is_stored_as_text():
    rows = ["=CMD(),+1,-1,,@SUM(,", "'=Escaped,Singer,Show,,'@desc,", '"=HYPERLINK(""x"")",A,D2,,,']
    records, problems = parse_records(csv_bytes(*rows))
    assert problems == []
    assert [(r.title, r.artists, r.drama, r.description) for r in records] == [
        ("=CMD()", ["+1"], "-1", "@SUM("), ("=Escaped", ["Singer"], "Show", "@desc"),
        ('=HYPERLINK("x")', ["A"], "D2", "")]


GOOD_ROWS = GOOD.splitlines(keepends=True)
FRAGMENTS = ['"', '""', ",", "\n", "\r\n", "\r", "\x00", "\ufeff", "=CMD()", "+1", "-1", "@SUM(", "'", ";", "\t",
             "@everyone", "<@&1>", "**", "[", "]", "{", "}", "\\", "é", "도깨비", "\u202e", "x" * 301]


@st.composite
def mutated_csv(draw) -> bytes:
    """A good file with fragments inserted and rows duplicated, dropped or re-encoded."""
    text = "".join(draw(st.lists(st.sampled_from(GOOD_ROWS[1:]), min_size=0, max_size=6)))
    text = GOOD_ROWS[0] + text
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4))) + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from([*COLUMNS, "x"]), inner, max_size=6),
    max_leaves=25)


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_never_raise(data):
    assert_all_or_nothing(*parse_records(data, "songs.csv", max_rows=MAX_ROWS))


@FUZZ
@given(mutated_csv())
def test_mutated_csv_never_raises(data):
    records, problems = parse_records(data, "songs.csv", max_rows=MAX_ROWS)
    assert_all_or_nothing(records, problems)
    if not problems:
        assert records and len({(r.title.lower(), r.drama.lower()) for r in records}) == len(records)


@FUZZ
@given(json_values)
def test_any_json_never_raises(value):
    data = json.dumps(value).encode()
    assert_all_or_nothing(*parse_records(data, "songs.json", max_rows=MAX_ROWS))
    songs = json.dumps({"songs": [value, {"title": "A", "artists": "B", "drama": "C"}]}).encode()
    assert_all_or_nothing(*parse_records(songs, "songs.json", max_rows=MAX_ROWS))


def test_a_full_megabyte_parses():
    """The largest file an import takes parses whole. How long it takes is measured by `make bench`
    ("Growth: import"), not asserted here: a loaded machine made a 5 s bound fail at 0.3 s of work."""
    rows = [f"Song number {i:05d},Singer {i % 97}; Guest {i % 13},Drama {i % 400},{1990 + i % 30},"
            + "d" * 120 + ",longing;warm" for i in range(MAX_ROWS)]
    data = csv_bytes(*rows)
    assert 900_000 < len(data) <= 1_000_000
    records, problems = parse_records(data, "songs.csv", max_rows=MAX_ROWS)
    assert problems == [] and len(records) == MAX_ROWS


# -- export safety -------------------------------------------------------------------------------

PREFIXES = st.sampled_from(["", "", "=", "+", "-", "@", "\t", "\r", "'", "'=", "''", " =", "＝"])
WORDS = st.text(alphabet=st.sampled_from(list("abcXYZ019 가나=+-@'\",;()!?é")), min_size=1, max_size=12)


def field_text(limit: int):
    """A formula-ish prefix, then at least one letter (a name with none is refused anyway)."""
    return st.builds(lambda p, a, w: (p + a + w)[:limit], PREFIXES, st.sampled_from("aZ가9"), WORDS)


song_rows = st.fixed_dictionaries({
    "title": field_text(100), "artists": st.lists(field_text(80), min_size=1, max_size=3),
    "drama": field_text(100), "description": field_text(300), "hangul": st.one_of(st.just(""), field_text(100)),
    "styles": st.lists(field_text(30), max_size=2), "moods": st.lists(field_text(30), max_size=2),
    "alt_titles": st.lists(field_text(100), max_size=2), "ballad": st.booleans(),
    "year": st.one_of(st.none(), st.integers(1950, 2100)),
})


def valid_records(rows: list[dict]) -> list[SongRecord]:
    """The rows that validate (as a stored song would have), one per title/drama and key."""
    out, seen = [], set()
    for row in rows:
        record = record_from_mapping(row, 1, [])
        if record is None:
            continue
        ids = (record.title.casefold(), record.drama.casefold())
        if ids in seen or record.slug() in {r.slug() for r in out}:
            continue
        seen.add(ids)
        out.append(record)
    return out


def assert_no_formula_cells(text: str) -> int:
    cells = 0
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA_START), repr(cell)
            cells += 1
    return cells


@FUZZ
@given(st.lists(song_rows, min_size=1, max_size=5))
def test_export_has_no_formula_cell_and_round_trips(rows):
    records = valid_records(rows)
    text = records_to_csv(records)
    assert_no_formula_cells(text)
    back, problems = parse_records(text.encode(), "export.csv")
    assert problems == [] or not records
    assert back == records


@FUZZ
@given(st.text(max_size=30))
def test_cell_escape_is_exactly_undone(value):
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert not escaped.startswith(FORMULA_START)


def example_song_lists(count: int) -> list[list[dict]]:
    found: list[list[dict]] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(song_rows, min_size=1, max_size=6))
    def collect(rows):
        found.append(rows)

    collect()
    return found


async def test_stored_songs_export_safely_and_import_back(store):
    """Through the store: import random valid songs into one server, export, import the CSV into a
    second server, export again: same songs, and no formula cell in either file."""
    lists = [valid_records(rows) for rows in example_song_lists(40)]
    lists = [records for records in lists if records]
    assert len(lists) >= 20
    cells = 0
    for n, records in enumerate(lists):
        first, second = 1000 + 2 * n, 1001 + 2 * n
        await store.catalog.import_records(records, guild_id=first, origin="guild")
        exported = await store.catalog.export_records(first)
        text = records_to_csv(exported)
        cells += assert_no_formula_cells(text)
        back, problems = parse_records(text.encode(), "export.csv")
        assert problems == [], [problem_line(p, "en") for p in problems]
        await store.catalog.import_records(back, guild_id=second, origin="guild")
        again = await store.catalog.export_records(second)
        assert again == exported
        # Dramas (and artists) are one entry per normalised name: "9?" and "9=" are the same drama.
        assert sorted((r.title, compact(r.drama)) for r in exported) == sorted(
            (r.title, compact(r.drama)) for r in records)
        assert_no_formula_cells(records_to_csv(again))
    assert cells > 100


# -- through SimCord -------------------------------------------------------------------------------

def check_errors(env, cursor: int) -> list[UserError]:
    """The friendly refusals the bot gave since `cursor` (an `env.error_cursor`). Every error recorded
    so far, start-up included, must be one: reading the errors acknowledges them all."""
    every = swallowed(env, 0)
    for error in every:
        assert isinstance(error, UserError), repr(error)
    return every[cursor:]


async def import_file(world, filename: str, data: bytes):
    result = await world.admin.slash(world.channel, "catalog import", file=(filename, data))
    answer = reply(result)
    assert answer.ephemeral
    assert_message_limits(answer)
    for followup in result.followups:
        assert followup.ephemeral
        assert_message_limits(followup)
    return answer


async def test_malformed_files_through_catalog_import(world, simcord_env):
    before = await world.store.content_hash()
    for name, filename, data, _ in MALFORMED:
        cursor = simcord_env.error_cursor
        answer = await import_file(world, filename, data)
        _, problems = parse_records(data, filename, max_rows=MAX_ROWS)
        assert answer.content.startswith("Nothing was imported"), (name, answer.content)
        expected, _ = import_report(problems, "en")
        assert answer.content == expected, name
        assert await world.store.content_hash() == before, name
        assert check_errors(simcord_env, cursor) == [], name
    # Over the size limit: refused before download, nothing stored.
    for size in (1_000_001, 3_000_000):
        cursor = simcord_env.error_cursor
        answer = await import_file(world, "songs.csv", b"title,artists,drama\n" + b"x" * size)
        assert "the limit is 1 MB" in answer.content and answer.attachments == []
        assert [e.key for e in check_errors(simcord_env, cursor)] == ["admin.import.too_big"]
    assert await world.store.content_hash() == before
    assert assert_no_mentions_allowed(simcord_env) >= len(MALFORMED)


async def test_report_names_line_and_field(world, simcord_env):
    data = csv_bytes("Fine,B,C,,,", "Ping,@everyone,C,,,", "Old,B,C,1800,,", '"Open,B,C,,,')
    answer = await import_file(world, "songs.csv", data)
    # The unclosed quote on line 5 stops the reading: that is the one thing to fix first.
    assert answer.content == "Nothing was imported: the file has 1 problem. Fix them and import the whole " \
                             "file again.\n• line 5, file: has a quote (\") that is never closed"
    answer = await import_file(world, "songs.csv", data.replace(b'"Open', b"Open"))
    assert "line 3, artists: '@\u200beveryone' must not contain mentions" in answer.content
    assert "line 4, year: must be a year from 1950 to 2100" in answer.content
    assert "line 2" not in answer.content
    simcord_env.errors  # noqa: B018


async def test_fuzzed_files_through_catalog_import(world, simcord_env):
    """Hypothesis-mutated files: a failure stores nothing; a success stores exactly what was parsed."""
    found: list[bytes] = []

    @settings(FUZZ, max_examples=40)
    @given(mutated_csv())
    def collect(data):
        found.append(data)

    collect()
    refused = accepted = 0
    for data in found:
        before = await world.store.content_hash()
        records, problems = parse_records(data, "songs.csv", max_rows=MAX_ROWS)
        cursor = simcord_env.error_cursor
        answer = await import_file(world, "songs.csv", data)
        if problems:
            refused += 1
            assert answer.content.startswith("Nothing was imported")
            assert await world.store.content_hash() == before
        else:
            accepted += 1
            assert answer.content.startswith("Imported:")
            stored = {(r.title, r.drama) for r in await world.store.catalog.export_records(world.guild.id)}
            assert {(r.title, r.drama) for r in records} <= stored
        assert check_errors(simcord_env, cursor) == []
    assert refused >= 10 and accepted >= 1
    assert_no_mentions_allowed(simcord_env)


async def test_formula_titles_are_stored_as_text_and_exported_escaped(world, simcord_env):
    rows = ["=CMD(),+1,-1,,@SUM(,", "'=Escaped,Singer,Show,,'@desc,"]
    cursor = simcord_env.error_cursor
    answer = await import_file(world, "songs.csv", csv_bytes(*rows))
    assert answer.content == "Imported: 2 new songs, 0 updated."
    stored = await world.store.catalog.export_records(world.guild.id)
    assert sorted((r.title, r.artists[0], r.drama, r.description) for r in stored) == [
        ("=CMD()", "+1", "-1", "@SUM("), ("=Escaped", "Singer", "Show", "@desc")]
    found = await world.alice.slash(world.channel, "ost", query="=CMD()")
    assert_message_limits(reply(found))
    result = await world.admin.slash(world.channel, "catalog export")
    [attachment] = reply(result).attachments
    text = (await attachment.read()).decode()
    assert_no_formula_cells(text)
    assert "'=CMD()" in text and "'+1" in text and "'-1" in text and "'@SUM(" in text and "''=Escaped" not in text
    # The export imports back unchanged (an update of the same two songs).
    again = await import_file(world, attachment.filename, text.encode())
    assert again.content == "Imported: 0 new songs, 2 updated."
    assert await world.store.catalog.export_records(world.guild.id) == stored
    check_errors(simcord_env, cursor)


def test_korean_problem_texts_exist_for_every_key_used():
    """Every key a problem can carry renders in Korean (no English fallback)."""
    from bot.i18n import catalog

    for _, filename, data, _ in MALFORMED:
        for problem in parse_records(data, filename, max_rows=MAX_ROWS)[1]:
            assert problem.key in catalog()["ko"], problem.key
            assert t(problem.key, "ko", **problem.params) != t(problem.key, "en", **problem.params)


def test_report_file_is_capped():
    """A 5,000-row file with two problems a row: the reply fits, the attached report stops at 2,000 lines."""
    data = csv_bytes(*(f"@everyone {i},,Show,,," for i in range(MAX_ROWS)))
    _, problems = parse_records(data, "songs.csv", max_rows=MAX_ROWS)
    assert len(problems) == 2 * MAX_ROWS
    message, full = import_report(problems, "en")
    assert len(message) <= 2000 and "…and 9985 more: see the attached report." in message
    lines = full.splitlines()
    assert len(lines) == 2001 and lines[-1] == "…and 8000 more problems, not listed: fix these first."
