"""bot.catalog.recordfiles: the flat import/export format (CSV and JSON), read all or nothing, written
formula-safe and round-tripping."""

from __future__ import annotations

import json

from bot.catalog.recordfiles import parse_records, records_to_csv, records_to_json
from bot.catalog.records import SongRecord
from bot.ui.admin import problem_line, problem_message

HEADER = "title,artists,drama,year,description,styles,moods,ballad\n"


def test_good_csv():
    data = (HEADER + 'Snowfall,Ailee; Gummy,Goblin,2017,"A quiet one.",piano ballad,longing,true\n').encode()
    records, problems = parse_records(data, "songs.csv")
    assert problems == []
    assert records == [SongRecord(title="Snowfall", artists=["Ailee", "Gummy"], drama="Goblin", year=2017,
                                  description="A quiet one.", styles=["piano ballad"], moods=["longing"])]


def test_bom_and_json_and_encoding():
    records, problems = parse_records(("\ufeff" + HEADER + "A,B,C,,,,,\n").encode("utf-8"))
    assert problems == [] and records[0].title == "A"
    js = json.dumps([{"title": "A", "artists": ["B"], "drama": "C"}]).encode()
    assert parse_records(js, "x.json")[0][0].artists == ["B"]
    _, problems = parse_records("title,artists,drama\nÀ,B,C\n".encode("latin-1"))
    assert problems and problems[0].field == "file"


def test_duplicates_and_limits():
    dup = (HEADER + "A,B,C,,,,,\na,B,c,,,,,\n").encode()
    [problem] = parse_records(dup)[1]
    assert (problem.line, problem.field, problem.key, problem.params) == (3, "title", "admin.problem.duplicate_row",
                                                                          {"other": 2})
    assert problem_line(problem, "en") == "line 3, title: duplicates the song on line 2"
    many = (HEADER + "".join(f"S{i},B,C,,,,,\n" for i in range(11))).encode()
    [problem] = parse_records(many, max_rows=10)[1]
    assert (problem.key, problem.params) == ("admin.problem.too_many_rows", {"rows": 11, "limit": 10})
    assert "limit is 10" in problem_message(problem, "en")
    assert parse_records(b"")[1][0].field == "file"
    assert parse_records(b"title,artists\nA,B\n")[1][0].field == "header"


def test_export_escapes_formulas_and_round_trips():
    records = [SongRecord(title="=HYPERLINK(1)", artists=["+Singer", "@Group"], drama="-Drama",
                          description="Plain.", styles=["ballad"], moods=["calm"])]
    text = records_to_csv(records)
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), cell
    back, problems = parse_records(text.encode(), "export.csv")
    assert problems == [] and back == records
    assert parse_records(records_to_json(records).encode(), "x.json")[0] == records


def test_apostrophe_escape_round_trips_text_that_starts_with_one():
    records = [SongRecord(title="'=Quoted", artists=["'Apostrophe"], drama="''Twice")]
    back, problems = parse_records(records_to_csv(records).encode(), "export.csv")
    assert problems == [] and back == records
