"""A clue never contains the answer under any of its names (title, alternative titles,
Hangul), in any case or spacing. Two properties: random songs whose facts spell their own names
in random case and spacing; and the shipped catalog with random server additions."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.models import Credit, Drama, Fact, Song, Source
from bot.catalog.records import SongRecord
from bot.quiz.questions import QuestionPool, candidate_questions, reveals
from tests.quiz.test_questions import shared, whole_catalog  # noqa: F401 - the shared store fixture

# -- an oracle independent of bot.catalog.text: letters and digits only, case and accents folded --


def flat(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in unicodedata.normalize("NFC", kept).casefold() if ch.isalnum())


def names_in(text: str | None, names) -> list[str]:
    """The names (as typed) that `text` contains, whatever the case, spacing or punctuation."""
    if not text:
        return []
    haystack = flat(text)
    return [n for n in names if flat(n) and flat(n) in haystack]


def assert_clue_clean(q, song: Song) -> None:
    names = song.all_titles
    assert not names_in(q.clue, names), (q.key, q.clue, names)
    assert not names_in(q.clue_ko, names), (q.key, q.clue_ko, names)


# -- property 1: random songs whose facts name them in any spelling -------------------------------

WORDS = ["love", "snow", "first", "me", "stay", "with", "orbit", "tree", "always", "you", "time", "every", "rain",
         "눈", "사랑", "그", "여자", "첫눈", "나무", "별"]
FILLER = ["the", "song", "was", "released", "in", "a", "drama", "and", "topped", "charts", "sung", "by", "its",
          "piano", "ballad", "노래", "드라마", "차트", "1위", "은", "는", "을"]
SEPARATORS = ["", " ", "  ", "-", ".", "·", "\u200b", "_", "／"]


@st.composite
def spelled(draw, name: str) -> str:
    """`name` in random case, with random separators between its characters (or none)."""
    out = []
    for i, ch in enumerate(name):
        if i and draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(ch.upper() if draw(st.booleans()) else ch.lower())
    return "".join(out)


name_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def song_with_fact(draw):
    title = draw(name_text)
    hangul = draw(st.one_of(st.none(), st.lists(st.sampled_from(WORDS[13:]), min_size=1, max_size=2).map(" ".join)))
    alt = tuple(draw(st.lists(name_text, max_size=2)))
    names = [n for n in (title, hangul, *alt) if n]

    def text() -> str:
        parts = draw(st.lists(st.sampled_from(FILLER), max_size=5))
        for _ in range(draw(st.integers(0, 2))):
            parts.insert(draw(st.integers(0, len(parts))), draw(spelled(draw(st.sampled_from(names)))))
        return " ".join(parts) or "a song"

    source = Source("src", "A source")
    fact = Fact("trivia", text(), source, text() if draw(st.booleans()) else None)
    drama = Drama(1, "d1", "Drama One")
    return Song(1, "s1", title, drama, (Credit(1, "a1", "Singer"),), "", hangul=hangul, alt_titles=alt, facts=(fact,))


def other_songs() -> list[Song]:
    """Four songs of other dramas with titles from other words: distractors for any drawn song."""
    return [Song(10 + i, f"o{i}", title, Drama(10 + i, f"od{i}", f"Other Drama {i}"),
                 (Credit(10 + i, f"oa{i}", f"Other Singer {i}"),), "")
            for i, title in enumerate(["Moonlight Sonata", "Blue Harbor", "Paper Crane", "Quiet Bridge"])]


@settings(max_examples=300, deadline=None)
@given(song=song_with_fact(), seed=st.integers(0, 2**16))
def test_property_a_clue_never_spells_its_answer(song, seed):
    pool = QuestionPool(songs=[song, *other_songs()])
    for q in candidate_questions(pool, ["song_from_fact"], random.Random(seed)):
        assert q.song_id == song.id
        assert_clue_clean(q, song)


def test_a_title_in_plain_words_is_masked_and_asked():
    """Not vacuous: a fact naming its song plainly still makes a question, the title masked."""
    fact = Fact("trivia", "Stay With Me topped the charts; stay with me, fans sang.", Source("src", "A source"))
    song = Song(1, "s1", "Stay with Me", Drama(1, "d1", "Goblin"), (Credit(1, "a1", "Punch"),), "", facts=(fact,))
    [q] = candidate_questions(QuestionPool(songs=[song, *other_songs()]), ["song_from_fact"], random.Random(1))
    assert q.clue == "＿＿＿ topped the charts; ＿＿＿, fans sang."
    assert q.fact is None  # the only fact is the clue: no "did you know" repeating it


@pytest.mark.parametrize("text", ["Stay-with-me topped the charts.", "S T A Y with ME, again.",
                                  "It (staywithme) topped the charts.", "ＳＴＡＹ ＷＩＴＨ ＭＥ was first."])
def test_titles_in_other_spellings_drop_the_question(text):
    fact = Fact("trivia", text, Source("src", "A source"))
    song = Song(1, "s1", "Stay with Me", Drama(1, "d1", "Goblin"), (Credit(1, "a1", "Punch"),), "", facts=(fact,))
    assert reveals(text, song.all_titles)
    assert candidate_questions(QuestionPool(songs=[song, *other_songs()]), ["song_from_fact"], random.Random(1)) == []


# -- property 2: the shipped catalog with random server additions ---------------------------------

TITLES = ["Always", "Stay with Me", "Orbit", "Everytime", "Piano", "Christmas", "Snow", "First Snow", "Goblin",
          "Hwasa", "Love", "This Love", "Tree", "OST", "크리스마스 트리", "그 여자", "눈", "사랑"]
DRAMAS = ["Goblin", "Descendants of the Sun", "True Beauty", "Drama One", "도깨비", "The King"]
ARTISTS = ["Punch", "Chen", "Hwasa", "V", "Singer A", "Ailee"]

additions = st.lists(st.builds(
    lambda title, hangul, alt, drama, artists: SongRecord(title=title, hangul=hangul, alt_titles=alt, drama=drama,
                                                          artists=artists),
    st.sampled_from(TITLES), st.sampled_from(["", *TITLES[-4:]]),
    st.lists(st.sampled_from(TITLES), max_size=2, unique=True), st.sampled_from(DRAMAS),
    st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=2, unique=True)), min_size=1, max_size=6,
    unique_by=lambda r: (r.title.casefold(), r.drama.casefold()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=additions, seed=st.integers(0, 2**16))
def test_property_catalog_clues_with_server_additions(shared, records, seed):  # noqa: F811
    loop, store, guilds = shared
    guild_id = next(guilds)

    async def check() -> int:
        await store.catalog.import_records(records, guild_id=guild_id, origin="guild")
        songs, _ = await whole_catalog(store, guild_id)
        by_id = {s.id: s for s in songs}
        pool = await store.quiz.question_pool(guild_id, size=60, rng=random.Random(seed))
        clues = candidate_questions(pool, ["song_from_fact"], random.Random(seed))
        for q in clues:
            assert_clue_clean(q, by_id[q.song_id])
        return len(clues)

    assert loop.run_until_complete(check()) >= 30


def test_no_option_is_named_by_the_clue():
    fact = Fact("trivia", "Topped Billboard's Digital Song Sales chart.", Source("src", "A source"))
    song = Song(1, "s1", "Christmas Tree", Drama(1, "d1", "Our Beloved Summer"), (Credit(1, "a1", "V"),), "",
                facts=(fact,))
    billboard = Song(9, "s9", "Billboard", Drama(9, "d9", "Chart Drama"), (Credit(9, "a9", "Someone"),), "")
    pool = QuestionPool(songs=[song, billboard, *other_songs()])
    for seed in range(20):
        [q] = candidate_questions(pool, ["song_from_fact"], random.Random(seed))
        assert "Billboard" not in {o.text for o in q.options}
