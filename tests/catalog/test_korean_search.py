"""What Korean fans type finds the song or drama, in the search (/ost, autocomplete, /random's and
/recommend's look-ups) and as a typed quiz answer: official Korean titles, with or without their
punctuation and spaces, the drama shorthand fans use, and Goblin's full title."""

from __future__ import annotations

import pytest

from bot.catalog.seedfile import load_catalog
from bot.catalog.service import CatalogService
from bot.quiz.matching import AnswerMatcher

pytestmark = pytest.mark.both_engines

SEED = load_catalog()
SONGS = {s.title: s for s in SEED.songs}
DRAMAS = {d.name: d for d in SEED.dramas}

# What a Korean fan types -> (kind, English name of what it must find first).
KOREAN_QUERIES = [
    # official Korean titles, as released and as typed without punctuation or spaces
    ("다시 너를", "song", "Once Again"), ("다시너를", "song", "Once Again"),
    ("말해! 뭐해?", "song", "Talk Love"), ("말해 뭐해", "song", "Talk Love"), ("말해뭐해", "song", "Talk Love"),
    ("다시 난, 여기", "song", "Here I Am Again"), ("다시 난 여기", "song", "Here I Am Again"),
    ("다시난여기", "song", "Here I Am Again"),
    ("첫눈처럼 너에게 가겠다", "song", "I Will Go to You Like the First Snow"),
    ("첫눈처럼너에게가겠다", "song", "I Will Go to You Like the First Snow"),
    ("너를 위해", "song", "For You"), ("너를위해", "song", "For You"),
    ("이 사랑", "song", "This Love"), ("이사랑", "song", "This Love"),
    ("그 여자", "song", "That Woman"), ("그여자", "song", "That Woman"),
    # titles that are English in Korea stay English
    ("Christmas Tree", "song", "Christmas Tree"), ("Talk Love", "song", "Talk Love"),
    # fans' shorthand and full titles
    ("태후", "drama", "Descendants of the Sun"), ("사불", "drama", "Crash Landing on You"),
    ("사괜", "drama", "It's Okay to Not Be Okay"), ("갯차", "drama", "Hometown Cha-Cha-Cha"),
    ("그해우리는", "drama", "Our Beloved Summer"), ("더킹", "drama", "The King: Eternal Monarch"),
    ("보보경심 려", "drama", "Moon Lovers: Scarlet Heart Ryeo"),
    ("쓸쓸하고 찬란하神 – 도깨비", "drama", "Goblin"), ("쓸쓸하고 찬란하神 도깨비", "drama", "Goblin"),
    ("쓸쓸하고 찬란하신 도깨비", "drama", "Goblin"),
    # spacing never matters
    ("사랑의불시착", "drama", "Crash Landing on You"), ("사랑의 불시착", "drama", "Crash Landing on You"),
    ("태양의후예", "drama", "Descendants of the Sun"), ("갯마을차차차", "drama", "Hometown Cha-Cha-Cha"),
    ("사이코지만괜찮아", "drama", "It's Okay to Not Be Okay"), ("달의연인", "drama", "Moon Lovers: Scarlet Heart Ryeo"),
]
# Part of a name, with its spaces moved: found by the search (a look-up), never a quiz answer.
SPACED_PARTS = [
    ("영원의군주", "drama", "The King: Eternal Monarch"),
    ("너에게가겠다", "song", "I Will Go to You Like the First Snow"),
    ("차차 차", "drama", "Hometown Cha-Cha-Cha"), ("마을 차차차", "drama", "Hometown Cha-Cha-Cha"),
]


@pytest.fixture
async def service(store):
    return CatalogService(store)


@pytest.mark.parametrize(("query", "kind", "name"), KOREAN_QUERIES + SPACED_PARTS)
async def test_korean_queries_find_their_song_or_drama_first(service, query, kind, name):
    found = await service.search(query, None)
    assert found, query
    label = (await service.labels(found[:1], None))[0]
    assert (label.kind, label.name) == (kind, name), query


def accepted(kind: str, name: str) -> AnswerMatcher:
    """The names a typed quiz answer is compared with, as the quiz takes them."""
    if kind == "song":
        song = SONGS[name]
        return AnswerMatcher([song.title, *([song.hangul] if song.hangul else []), *song.titles])
    drama = DRAMAS[name]
    return AnswerMatcher([drama.name, *([drama.hangul] if drama.hangul else []), *drama.names])


@pytest.mark.parametrize(("query", "kind", "name"), KOREAN_QUERIES)
def test_korean_titles_and_shorthand_are_right_quiz_answers(query, kind, name):
    assert accepted(kind, name).matches(query)


@pytest.mark.parametrize(("typed", "kind", "name"), [
    ("사랑", "song", "This Love"), ("다시", "song", "Once Again"), ("너를", "song", "For You"),
    ("말해", "song", "Talk Love"), ("여자", "song", "That Woman"), ("불시착", "drama", "Crash Landing on You"),
    ("후예", "drama", "Descendants of the Sun"), ("도깨", "drama", "Goblin"),
    ("차차차", "drama", "Hometown Cha-Cha-Cha"),
    ("사괜찮", "drama", "It's Okay to Not Be Okay"), ("사불시", "drama", "Crash Landing on You"),
    ("다시 너", "song", "Here I Am Again"),
])
def test_spacing_never_makes_a_quiz_answer_loose(typed, kind, name):
    """Spaces are ignored, not the rest: part of a title, or another title, is not the answer."""
    assert not accepted(kind, name).matches(typed)


def test_every_name_of_every_drama_and_song_is_its_own_quiz_answer_without_spaces():
    for song in SEED.songs:
        for title in (song.title, song.hangul, *song.titles):
            if title:
                assert accepted("song", song.title).matches(title.replace(" ", "")), title
    for drama in SEED.dramas:
        for title in (drama.name, drama.hangul, *drama.names):
            assert accepted("drama", drama.name).matches(title.replace(" ", "")), title
