"""The shipped catalog loads through the real loader and holds what the three articles name."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from bot.catalog.models import SeedCredit, SeedFact, SeedSong
from bot.catalog.seedfile import CatalogError, load_catalog, parse_catalog, shipped_catalog_path
from bot.catalog.text import compact

# The three source articles, kept in the repository (data/seeds/, copied from the project's shared folder)
# so that these checks run wherever the tests do.
SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"

# Everything the three source documents name, in their (clean) spelling.
SONGS = {
    "I Will Go to You Like the First Snow": ("Goblin", ["Ailee"]),
    "That Woman": ("Secret Garden", ["Baek Ji-young"]),
    "You Are My Everything": ("Descendants of the Sun", ["Gummy"]),
    "Christmas Tree": ("Our Beloved Summer", ["V"]),
    "Fall in You": ("True Beauty", ["Ha Sung-woon"]),
    "Here Always": ("Hometown Cha-Cha-Cha", ["Seungmin"]),
    "Orbit": ("The King: Eternal Monarch", ["Hwasa"]),
    "In Your Time": ("It's Okay to Not Be Okay", ["Lee Su-hyun"]),
    "Don't Cry My Love": ("Under the Oak Tree", ["Cha Eun-woo"]),
    "Here I Am Again": ("Crash Landing on You", ["Baek Yerin"]),
    "Stay with Me": ("Goblin", ["Chanyeol", "Punch"]),
    "For You": ("Moon Lovers: Scarlet Heart Ryeo", ["EXO-CBX"]),
    "Everytime": ("Descendants of the Sun", ["Chen", "Punch"]),
    "Always": ("Descendants of the Sun", ["Yoon Mi-rae"]),
    "This Love": ("Descendants of the Sun", ["Davichi"]),
    "Once Again": ("Descendants of the Sun", ["Mad Clown", "Kim Na-young"]),
    "Talk Love": ("Descendants of the Sun", ["K.Will"]),
    "With You": ("Descendants of the Sun", ["LYn"]),
    "By My Side": ("Descendants of the Sun", ["SG Wannabe"]),
}
GROUPS = {"BTS": ["V"], "Stray Kids": ["Seungmin"], "MAMAMOO": ["Hwasa"], "AKMU": ["Lee Su-hyun"],
          "EXO": ["Chanyeol", "Chen", "Baekhyun", "Xiumin", "EXO-CBX"], "EXO-CBX": ["Chen", "Baekhyun", "Xiumin"]}
# One drama, two names in the articles.
SAME_DRAMA = [("Goblin", "Guardian: The Lonely and Great God"), ("Moon Lovers", "Scarlet Heart Ryeo")]
# The third article is machine-garbled: words swapped for Vietnamese ones. Its non-ASCII words are
# read from the article itself (tests below); these are the garbled phrases, some of them ASCII.
GARBLED_ARTICLE = SEEDS / "002_f08bbfb29e255950.txt"
ARTICLE_GARBLE = ["và", "lớn", "tuy nhiên", "tuy vậy", "soundtraông", "soundtrachồng", "Davibỏ", "Kyên",
                "cđại bại", "trkết thúc", "brighkiểm", "xinh tươi", "sầu", "khổng lồ", "traông", "home page"]
# Letters only Vietnamese uses (ơ, ư, đ and the stacked tone marks): none belongs in the catalog.
VIETNAMESE_LETTERS = re.compile(r"[\u1ea0-\u1ef9ơưđƠƯĐ]")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def by_name(entries, field="name"):
    return {getattr(e, field): e for e in entries}


def test_every_song_of_the_articles_with_its_drama_and_singers(catalog):
    songs = by_name(catalog.songs, "title")
    dramas = {d.key: d for d in catalog.dramas}
    artists = {a.key: a for a in catalog.artists}
    assert set(SONGS) == set(songs)
    for title, (drama, singers) in SONGS.items():
        song = songs[title]
        names = [dramas[song.drama].name, *dramas[song.drama].names]
        assert drama in names, title
        assert [artists[c.artist].name for c in song.artists] == singers, title


def test_groups_and_members(catalog):
    artists = {a.key: a for a in catalog.artists}
    named = {a.name: a for a in catalog.artists}
    for group, members in GROUPS.items():
        assert named[group].kind in ("group", "subunit")
        for member in members:
            assert named[group].key in named[member].groups, (group, member)
    assert {artists[g].name for g in named["Chen"].groups} == {"EXO", "EXO-CBX"}


def test_one_drama_under_two_names(catalog):
    for first, second in SAME_DRAMA:
        owners = [d.key for d in catalog.dramas if {compact(first), compact(second)} <=
                  {compact(n) for n in [d.name, *d.names]}]
        assert len(owners) == 1, (first, second)


def test_facts_the_articles_give(catalog):
    songs = by_name(catalog.songs, "title")
    dramas = by_name(catalog.dramas)
    assert songs["Stay with Me"].release_date == dt.date(2016, 12, 3)
    assert str(songs["Orbit"].release_date) == "2020-04-19"
    assert songs["By My Side"].episode == 12
    assert songs["That Woman"].year == 2010
    assert dramas["The King: Eternal Monarch"].network == "SBS"
    assert {"Song Joong-ki", "Song Hye-kyo"} <= set(dramas["Descendants of the Sun"].lead_actors)
    assert {"Hyun Bin", "Son Ye-jin"} <= set(dramas["Crash Landing on You"].lead_actors)
    assert "hip-hop" in songs["Once Again"].styles and songs["Once Again"].ballad is False
    assert "mid-tempo pop" in songs["Everytime"].styles
    facts = " ".join(f.text for s in catalog.songs for f in s.facts).lower()
    for fragment in ("billboard", "itunes", "melon", "hyun bin"):
        assert fragment in facts, fragment
    # Hangul names for Korean speakers.
    assert dramas["Goblin"].hangul == "도깨비"
    assert dramas["Descendants of the Sun"].hangul == "태양의 후예"


def test_invariants(catalog):
    source_keys = {s.key for s in catalog.sources}
    assert len(source_keys) == 3
    for section in ("dramas", "artists", "songs"):
        keys = [e.key for e in getattr(catalog, section)]
        assert len(keys) == len(set(keys))
        for entry in getattr(catalog, section):
            assert entry.sources and set(entry.sources) <= source_keys
            for fact in entry.facts:
                assert fact.source in source_keys
    for song in catalog.songs:
        assert song.artists and song.drama and song.description


def our_words() -> str:
    """Every text of the shipped catalog except its `quote`s (the articles' own words, garble and all)."""
    def walk(value: object, key: str = "") -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in walk(v, k)]
        if isinstance(value, list):
            return [s for v in value for s in walk(v, key)]
        return [str(value)] if key != "quote" else []
    return "\n".join(walk(tomllib.loads(shipped_catalog_path().read_text(encoding="utf-8"))))


def test_the_quotes_keep_the_garbled_articles_words():
    """Not vacuous: the quotes do hold garble, which the two tests below look past."""
    assert "Kyên ổn Ji Won" in shipped_catalog_path().read_text(encoding="utf-8")
    assert "Kyên" not in our_words()


def test_no_garbled_token_anywhere():
    text = our_words()
    assert not VIETNAMESE_LETTERS.search(text)
    for word in ARTICLE_GARBLE:
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE), word


def test_no_word_of_the_garbled_article_that_is_not_english():
    """Every non-ASCII word of the garbled article (its Vietnamese swaps) is absent from the catalog."""
    article = GARBLED_ARTICLE.read_text(encoding="utf-8")
    garble = {w.lower() for w in re.findall(r"\w+", article) if not w.isascii()}
    assert {"và", "lớn", "davibỏ"} <= garble  # the article is the garbled one
    catalog_words = {w.lower() for w in re.findall(r"\w+", our_words())}
    assert not garble & catalog_words


@pytest.mark.parametrize("change", [
    lambda t: t.replace('title = "Song"', 'title = "tuy nhiên Song"'),
    lambda t: t.replace('name = "Singer"', 'name = "Kyên ổn Na Young"'),
    lambda t: t.replace('description = "A song."', 'description = "A ballad với strings."'),
])
def test_the_loader_checks_shape_not_words(change):
    """Vietnamese text loads: a catalog may hold it (OST_CATALOG_PATH); garble is the shipped file's test above."""
    assert len(parse_catalog(change(GOOD)).songs) == 1


def test_entries_are_typed(catalog):
    orbit = next(s for s in catalog.songs if s.title == "Orbit")
    assert isinstance(orbit, SeedSong) and isinstance(orbit.release_date, dt.date)
    assert all(isinstance(c, SeedCredit) for c in orbit.artists) and orbit.artists[0].role == "main"
    assert all(isinstance(f, SeedFact) for f in orbit.facts) and isinstance(orbit.styles, tuple)
    untitled = next(s for s in catalog.sources if s.untitled)
    assert untitled.title == "" and untitled.about
    assert next(d for d in catalog.dramas if d.key == "goblin").kind == "drama"


def test_descriptions_are_our_own_words(catalog):
    """No run of 8 words copied from an article into a description or a fact."""
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 3  # not vacuous: the three articles are there
    articles = " ".join(p.read_text(encoding="utf-8").lower() for p in paths)
    words = re.findall(r"[\w']+", articles)
    shingles = {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
    texts = [s.description for s in catalog.songs]
    texts += [f.text for sec in (catalog.songs, catalog.dramas, catalog.artists) for e in sec
              for f in e.facts]
    for text in texts:
        own = re.findall(r"[\w']+", text.lower())
        copied = [" ".join(own[i:i + 8]) for i in range(len(own) - 7) if " ".join(own[i:i + 8]) in shingles]
        assert not copied, (text, copied)


GOOD = """
version = 1
[[sources]]
key = "a"
title = "An article"
[[dramas]]
key = "d"
name = "Drama"
sources = ["a"]
[[artists]]
key = "x"
name = "Singer"
kind = "solo"
sources = ["a"]
[[songs]]
key = "s"
title = "Song"
drama = "d"
artists = [{ artist = "x", role = "main" }]
description = "A song."
styles = ["ballad"]
moods = ["longing"]
ballad = true
sources = ["a"]
"""


def test_minimal_catalog_is_valid():
    parsed = parse_catalog(GOOD)
    assert len(parsed.songs) == 1 and parsed.digest
    [song] = parsed.songs
    assert song.artists == (SeedCredit("x", "main"),) and song.hangul is None and song.facts == ()


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('drama = "d"', 'drama = "nope"'), "songs[0] (key 's'): field 'drama': unknown drama 'nope'"),
    (lambda t: t.replace('ballad = true', 'ballad = "yes"'), "field 'ballad': must be true or false"),
    (lambda t: t.replace('description = "A song."\n', ''), "songs[0] (key 's'): field 'description': is required"),
    (lambda t: t.replace('kind = "solo"', 'kind = "band"'), "artists[0] (key 'x'): field 'kind': must be one of"),
    (lambda t: t + '\n[[songs]]\nkey = "s"\ntitle = "Other"\ndrama = "d"\nartists = [{ artist = "x" }]\n'
     'description = "x"\nstyles = ["b"]\nmoods = ["m"]\nballad = true\nsources = ["a"]\n', "duplicate key 's'"),
    (lambda t: t.replace('title = "Song"', 'title = "Song"\ncolour = "red"'), "field 'colour': unknown field"),
    (lambda t: t.replace('sources = ["a"]\n', 'sources = ["zzz"]\n', 1), "unknown source 'zzz'"),
    (lambda t: t.replace('moods = ["longing"]', 'moods = []'), "field 'moods': needs at least 1"),
    (lambda t: t.replace('version = 1', 'version = "one"'), "field 'version'"),
    (lambda t: t.replace('key = "s"', 'key = "Bad Key"'), "must be lowercase letters, digits and hyphens"),
    (lambda t: t + "\n[[songs]\n", "not valid TOML"),
    (lambda t: t.replace('artists = [{ artist = "x", role = "main" }]', 'artists = [{ artist = "x", role = "lead" }]'),
     "must be one of main, duet, featuring"),
])
def test_broken_catalogs_name_file_entry_and_field(change, expected):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(change(GOOD), filename="broken.toml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert all(problem.startswith("broken.toml") for problem in caught.value.problems)


def test_every_problem_is_reported_at_once():
    text = GOOD.replace('drama = "d"', 'drama = "nope"').replace('kind = "solo"', 'kind = "band"')
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert len(caught.value.problems) >= 2


def test_missing_file_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "nope.toml")
