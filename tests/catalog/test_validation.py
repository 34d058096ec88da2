"""bot.catalog.validation: one set of field rules for the seed file and for imported songs; every problem
a `RecordProblem` at its place, with a message key that renders in either language."""

from __future__ import annotations

import pytest

from bot.catalog.records import record_from_mapping
from bot.catalog.seedfile import CatalogError, parse_catalog
from bot.catalog.validation import Field, RecordProblem, check_fields, listed, one, text
from bot.i18n import t
from tests.catalog.test_seedfile import GOOD


def seed_problems(catalog: str) -> list[RecordProblem]:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(catalog, filename="broken.toml")
    return caught.value.found


def import_problems(**fields: object) -> list[RecordProblem]:
    problems: list[RecordProblem] = []
    row = {"title": "Song", "artists": "Singer", "drama": "Drama", **fields}
    assert record_from_mapping(row, 2, problems) is None
    return problems


def with_description(description: str) -> str:
    return GOOD.replace('description = "A song."', f'description = "{description}"')


def test_a_seed_problem_names_file_entry_and_field_and_renders_in_both_languages():
    [problem] = seed_problems(GOOD.replace('drama = "d"', 'drama = "nope"'))
    assert (problem.file, problem.entry, problem.field, problem.key, dict(problem.params)) == (
        "broken.toml", "songs[0] (key 's')", "drama", "admin.problem.unknown_drama", {"value": "nope"})
    assert (problem.unit, problem.line) == ("songs", 0)
    assert t(problem.key, "ko", **problem.params) == "없는 드라마예요: 'nope'"


def test_a_problem_inside_an_entry_names_the_inner_table():
    catalog = GOOD + '[[songs.facts]]\nkind = "chart"\ntext = "A fact."\nsource = "zzz"\n'
    problems = seed_problems(catalog)
    assert any((p.entry, p.field, p.key) == ("songs[0] (key 's'): facts[0]", "source", "admin.problem.unknown_source")
               for p in problems), problems


@pytest.mark.parametrize("markup", ["@everyone listen", "<@123456789> sings", "**loud**", "see https://x.example"])
def test_the_seed_file_and_an_import_refuse_the_same_text_with_the_same_key(markup):
    [seeded] = seed_problems(with_description(markup))
    [imported] = import_problems(description=markup)
    assert seeded.key == imported.key and seeded.field == imported.field == "description"
    assert seeded.key in {"admin.problem.mentions", "admin.problem.markdown"}


def test_text_limits_differ_by_source_as_parameters_of_the_one_rule():
    words = "x" * 400
    assert parse_catalog(with_description(words)).songs[0].description == words
    [imported] = import_problems(description=words)
    assert (imported.key, dict(imported.params)) == ("admin.problem.too_long", {"limit": 300})
    [seeded] = seed_problems(with_description("x" * 501))
    assert (seeded.key, dict(seeded.params)) == ("admin.problem.too_long", {"limit": 500})


def test_a_list_reports_each_bad_item_and_the_list_as_a_whole():
    spec = {"names": Field(listed(text(10), least=1, most=2))}
    _, findings = check_fields({"names": ["ok", "far too long a name", "@here", "ok"], "colour": "red"}, spec)
    assert findings == [
        ("colour", None, ("unknown_field", {})),
        ("names", None, ("too_many", {"most": 2})),
        ("names", "far too long a name", ("too_long", {"limit": 10})),
        ("names", "@here", ("mentions", {})),
    ]
    assert check_fields({}, {"names": Field(one(text(10)), required=True)})[1] == [("names", None, ("required", {}))]


def test_every_seed_problem_renders_in_korean():
    broken = (GOOD.replace('kind = "solo"', 'kind = "band"').replace('moods = ["longing"]', 'moods = []')
              .replace('version = 1', 'version = 0') + '\n[[extras]]\nx = 1\n')
    problems = seed_problems(broken)
    assert len(problems) >= 3
    for problem in problems:
        assert t(problem.key, "ko", **problem.params) != t(problem.key, "en", **problem.params), problem.key
