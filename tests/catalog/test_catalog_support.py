"""Every fact and every mood tag of the shipped catalog points at the words of its article, and every
song says where its Korean title comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.seedfile import CatalogError, load_catalog, parse_catalog
from bot.catalog.text import normalize

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"
RELEASE_TITLE = "the release's own title"
ENGLISH_RELEASE_TITLE = "the release's own title is English"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def articles(catalog):
    """Source key -> the article's text, normalised (case, punctuation and accents folded)."""
    texts = {s.key: normalize(" ".join((SEEDS / s.file).read_text(encoding="utf-8").split()))
             for s in catalog.sources if s.file}
    assert set(texts) == {s.key for s in catalog.sources}, "every source names its article's file"
    return texts


def _facts(catalog):
    for section in (catalog.dramas, catalog.artists, catalog.songs):
        for entry in section:
            for fact in entry.facts:
                yield entry.key, fact


def test_every_fact_quotes_words_of_the_article_it_names(catalog, articles):
    facts = list(_facts(catalog))
    assert len(facts) > 60
    for key, fact in facts:
        assert fact.quote, (key, fact.text)
        assert normalize(fact.quote) in articles[fact.source], (key, fact.source, fact.quote)


def test_every_mood_tag_quotes_words_of_one_of_the_songs_articles(catalog, articles):
    for song in catalog.songs:
        backed = {support.mood: support for support in song.mood_support}
        assert set(backed) == set(song.moods), song.key
        for support in backed.values():
            assert support.source in song.sources, (song.key, support)
            assert normalize(support.quote) in articles[support.source], (song.key, support.mood, support.quote)


def test_the_quotes_are_checked_against_the_right_article(catalog, articles):
    """Not vacuous: a quote of one article is not found in another."""
    star_crossed = normalize("star-crossed lovers, played by actors Jin Goo")
    assert star_crossed in articles["dotsun-soundtrack-garbled"]
    assert star_crossed not in articles["valentine-romantic-osts"]


def test_tags_the_articles_do_not_support_are_gone(catalog):
    moods = {s.title: set(s.moods) for s in catalog.songs}
    assert not {"tender", "devoted"} & moods["Here Always"]
    assert not {"longing", "heartbreak"} & moods["That Woman"]
    assert "longing" not in moods["Stay with Me"]
    assert not {"devoted", "longing"} & moods["For You"]
    assert "longing" not in moods["I Will Go to You Like the First Snow"]


def test_every_song_says_where_its_korean_title_comes_from(catalog):
    korean = {s.title: s.hangul for s in catalog.songs if s.hangul}
    assert korean == {
        "I Will Go to You Like the First Snow": "첫눈처럼 너에게 가겠다", "That Woman": "그 여자",
        "Here I Am Again": "다시 난, 여기", "For You": "너를 위해", "This Love": "이 사랑",
        "Once Again": "다시 너를", "Talk Love": "말해! 뭐해?",
    }
    for song in catalog.songs:
        assert song.hangul_note == (RELEASE_TITLE if song.hangul else ENGLISH_RELEASE_TITLE), song.key


def test_facts_say_what_the_articles_say(catalog):
    texts = {f.text for _, f in _facts(catalog)} | {f.text_ko for _, f in _facts(catalog)}
    everything = " ".join(t for t in texts if t) + " ".join(
        f"{s.description} {s.description_ko}" for s in catalog.songs)
    for overstated in ("second couple", "두 번째 커플", "army captain", "군 대위", "many drama tracks", "수많은",
                       "Its music video", "early spring", "이른 봄", "멜론 뮤직 어워드", "K-드라마"):
        assert overstated not in everything, overstated
    assert "at the time of the article" in everything and "기사가 나올 무렵" in everything
    assert everything.lower().count("according to the article") == everything.count("기사에 따르면") >= 6


def test_punchs_facts_cite_the_article_of_each_song(catalog):
    punch = next(a for a in catalog.artists if a.key == "punch")
    cited = {f.source for f in punch.facts if "Stay with Me" in f.text}
    assert cited == {"valentine-romantic-osts"}


MOODS = """
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
mood_support = [{ mood = "longing", source = "a", quote = "longing" }]
ballad = true
sources = ["a"]
"""


def test_mood_support_loads_typed():
    [song] = parse_catalog(MOODS).songs
    assert [(s.mood, s.source, s.quote) for s in song.mood_support] == [("longing", "a", "longing")]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('mood = "longing", source', 'mood = "tender", source'),
     "mood_support[0]: field 'mood': 'tender' is not one of the song's moods"),
    (lambda t: t.replace('source = "a", quote', 'source = "zzz", quote'),
     "mood_support[0]: field 'source': unknown source 'zzz'"),
    (lambda t: t.replace(', quote = "longing" }', ' }'), "mood_support[0]: field 'quote': is required"),
    (lambda t: t.replace('quote = "longing" }]', 'quote = "longing" }, { mood = "longing", source = "a", '
                         'quote = "x" }]'), "'longing' is backed twice"),
])
def test_broken_mood_support_is_reported(change, expected):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(change(MOODS), filename="broken.toml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
