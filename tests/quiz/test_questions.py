"""Question generation over the real catalog (and admin additions): one correct option, fair distractors."""

from __future__ import annotations

import asyncio
import itertools
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog
from bot.quiz.matching import answer_key
from bot.quiz.questions import KINDS, OPTIONS, TOPICS, Question, candidate_questions, generate_questions
from bot.store import Store

pytestmark = pytest.mark.both_engines

# -- an independent oracle: which options are right, judged from the whole visible catalog ------


def keys(names) -> set[str]:
    return {answer_key(n) for n in names if n and answer_key(n)}


def drama_match(a, b) -> bool:
    return a.id == b.id or bool(keys(a.all_names) & keys(b.all_names))


def right_labels(q: Question, songs, artists) -> set[str]:
    """Keys of every label that would be a correct answer to `q`, from all visible songs."""
    if q.kind in ("drama_of_song", "artist_of_song", "year_of_song"):
        shown = keys([q.subject.text, q.subject.hangul])
        named = [s for s in songs if keys(s.all_titles) & shown]
        if q.kind == "drama_of_song":
            return set().union(*(keys(s.drama.all_names) for s in named))
        in_drama = [s for s in named if any(keys([n]) & keys(s.drama.all_names)
                                            for n in (q.context.text, q.context.hangul) if n)]
        if q.kind == "year_of_song":
            return {str(s.year or s.release_date[:4]) for s in in_drama if s.year or s.release_date}
        out: set[str] = set()
        for s in in_drama:
            for c in s.credits:
                a = artists[c.artist_id]
                out |= keys(a.all_names) | keys(a.groups) | keys(a.members)
        return out
    if q.kind in ("song_of_drama", "lead_actor"):
        shown = keys([q.subject.text, q.subject.hangul])
        dramas = [s.drama for s in songs if keys(s.drama.all_names) & shown]
        if q.kind == "lead_actor":
            return set().union(*(keys(d.lead_actors) for d in dramas))
        return set().union(*(keys(s.all_titles) for s in songs if any(drama_match(s.drama, d) for d in dramas)))
    if q.kind == "song_from_fact":
        return set().union(*(keys(s.all_titles) for s in songs if any(f.text == q.clue_fact.text for f in s.facts)))
    raise AssertionError(q.kind)


def assert_fair(q: Question, songs, artists) -> None:
    assert len(q.options) == OPTIONS
    labels = [answer_key(o.text) for o in q.options]
    assert all(labels) and len(set(labels)) == OPTIONS, f"{q.key}: duplicate options {q.options}"
    right = right_labels(q, songs, artists)
    correct = [i for i, label in enumerate(labels) if label in right]
    assert correct == [q.correct], f"{q.key}: right options {correct}, expected [{q.correct}]: {q.options}"
    # The reveal names right answers only, each once.
    also = [answer_key(n.text) for n in q.also]
    assert set(also) <= right and len(set(also)) == len(also) and labels[q.correct] not in also, (q.key, q.also)


async def whole_catalog(store: Store, guild_id: int | None):
    songs = await store.catalog.songs_by_ids(await store.catalog.visible_song_ids(guild_id), guild_id)
    artist_ids = {c.artist_id for s in songs for c in s.credits}
    artists = {a.id: a for a in await store.catalog.artists_by_ids(artist_ids, guild_id)}
    return songs, artists


# -- the shipped catalog ----------------------------------------------------------------------


async def test_every_candidate_over_the_catalog_has_exactly_one_right_option(store):
    songs, artists = await whole_catalog(store, None)
    for seed in range(5):
        pool = await store.quiz.question_pool(None, rng=random.Random(seed))
        questions = candidate_questions(pool, KINDS, random.Random(seed))
        assert {q.kind for q in questions} == set(KINDS)
        for q in questions:
            assert_fair(q, songs, artists)


async def test_co_singers_and_their_groups_are_never_distractors(store):
    pool = await store.quiz.question_pool(None)
    by_title = {s.title: s for s in pool.songs}
    for seed in range(30):
        questions = {q.key: q for q in candidate_questions(pool, ["artist_of_song"], random.Random(seed))}
        stay = questions[f"artist_of_song:{by_title['Stay with Me'].id}"]
        assert stay.answer.text == "Chanyeol"
        assert not {"Punch", "EXO"} & {o.text for o in stay.options}
        cbx = questions[f"artist_of_song:{by_title['For You'].id}"]
        assert not {"Chen", "Baekhyun", "Xiumin", "EXO"} & {o.text for o in cbx.options}


async def test_clues_hide_the_title(store):
    pool = await store.quiz.question_pool(None)
    questions = candidate_questions(pool, ["song_from_fact"], random.Random(1))
    assert len(questions) >= 30
    for q in questions:
        title = answer_key(q.answer.text)
        assert title not in answer_key(q.clue), q.clue
        assert q.clue_fact is not None and (q.clue_fact.source.title or q.clue_fact.source.about)


async def test_did_you_know_after_a_clue_is_another_fact_of_that_song(store):
    pool = await store.quiz.question_pool(None)
    songs = {s.id: s for s in pool.songs}
    left_out = 0
    for seed in range(10):
        for q in candidate_questions(pool, ["song_from_fact"], random.Random(seed)):
            if q.fact is None:  # the song has no other fact: no "did you know" rather than the clue again
                others = [f for f in songs[q.song_id].facts if f.is_trivia and f.text != q.clue_fact.text]
                assert others == []
                left_out += 1
                continue
            assert q.fact.text != q.clue_fact.text and q.fact.text_ko != q.clue_fact.text_ko
            assert q.fact in songs[q.song_id].facts and q.fact.is_trivia
    assert left_out  # the catalog has songs with a single fact (Christmas Tree): their clue stands alone


ARTICLE_FACTS = {
    "The article covers eight soundtrack songs released so far, with more expected before the finale.",
    "The article suggests an intimate live performance in place of a music video.",
    "The article spells Moon Ga-young's name Mun Kayoung.",
}


async def test_facts_about_the_article_are_marked_and_never_asked_nor_shown(store):
    songs, artists = await whole_catalog(store, None)
    facts = [f for s in songs for f in (*s.facts, *s.drama.facts)] + [f for a in artists.values() for f in a.facts]
    assert {f.text for f in facts if f.kind == "article"} == ARTICLE_FACTS
    # No other fact speaks of the article (or "this list", "below"): those are all marked. A claim the
    # article makes is the fact itself, said to be the article's ("according to the article, ...").
    attributions = re.compile(r"(according to|at the time of) the article")
    assert not [f.text for f in facts if f.is_trivia and any(
        w in attributions.sub("", f.text.lower()) for w in ("article", "this list", "below", "so far"))]
    # Nor in Korean: "…로 소개돼요" (is described as) talks about the article, not the song.
    assert not [f.text_ko for f in facts if f.is_trivia and re.search(r"소개(돼|됐|되)", f.text_ko or "")]
    pool = await store.quiz.question_pool(None)
    for seed in range(10):
        for q in candidate_questions(pool, KINDS, random.Random(seed)):
            for fact in (q.fact, q.clue_fact):
                assert fact is None or fact.is_trivia, (q.key, fact)


async def test_no_repeats_topics_and_unseen_first(store):
    pool = await store.quiz.question_pool(None)
    quiz = generate_questions(pool, 20, rng=random.Random(3))
    assert len(quiz) == 20 and len({q.key for q in quiz}) == 20
    assert len({q.kind for q in quiz}) == len(KINDS)  # kinds take turns
    songs = [q.song_id for q in quiz if q.kind != "lead_actor"]
    assert len(set(songs)) == len(songs)  # no song twice while fresh ones remain

    for topic, kinds in TOPICS.items():
        assert {q.kind for q in generate_questions(pool, 20, topic=topic, rng=random.Random(4))} <= set(kinds)

    everything = candidate_questions(pool, KINDS, random.Random(5))
    seen = {q.key: i for i, q in enumerate(everything[:-5])}
    fresh = {q.key for q in everything[-5:]}
    picked = generate_questions(pool, 5, seen=seen, rng=random.Random(6))
    assert {q.key for q in picked} <= fresh | set()  # the five unseen ones come first
    assert len(picked) == 5
    # with everything seen, the longest-unseen come first
    oldest = generate_questions(pool, 3, seen={q.key: i for i, q in enumerate(everything)}, rng=random.Random(7))
    assert {q.key for q in oldest} <= {q.key for q in everything[:30]}


async def test_hidden_songs_are_not_asked_and_additions_are(store):
    await store.catalog.import_records(
        [SongRecord(title="Moonlit Promise", artists=["Fresh Voice"], drama="Brand New Drama", year=2023)],
        guild_id=77)
    pool = await store.quiz.question_pool(77)
    titles = {s.title for s in pool.songs}
    assert "Moonlit Promise" in titles
    assert "Moonlit Promise" not in {s.title for s in (await store.quiz.question_pool(78)).songs}


# -- the property: random admin additions never break "exactly one right option" --------------

TITLES = ["Always", "Stay with Me", "Orbit", "Everytime", "Every Time", "Stay With Me (Acoustic)", "Talk Love",
          "Snow", "First Snow", "Christmas Tree", "Here Always", "New Song", "그 여자", "This Love", "Love"]
DRAMAS = ["Goblin", "Guardian", "DOTS", "Descendants of the Sun", "True Beauty", "Drama One", "Drama Two",
          "Secret Garden", "도깨비", "The King"]
ARTISTS = ["Punch", "Chen", "Chanyeol", "EXO", "BTS", "V", "Gummy", "Singer A", "Singer B", "Hwasa", "Ailee",
           "Kim Na-young"]

records = st.lists(st.builds(
    lambda title, drama, artists, year: SongRecord(title=title, drama=drama, artists=artists, year=year),
    st.sampled_from(TITLES), st.sampled_from(DRAMAS),
    st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=3, unique=True),
    st.one_of(st.none(), st.integers(2005, 2024))), min_size=1, max_size=8,
    unique_by=lambda r: (answer_key(r.title), answer_key(r.drama)))


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One store for every example: each example adds its songs under a fresh server id."""
    loop = asyncio.new_event_loop()
    store = loop.run_until_complete(Store.open(tmp_path_factory.mktemp("quizprop") / "q.db"))
    loop.run_until_complete(store.catalog.seed(load_catalog()))
    try:
        yield loop, store, itertools.count(1000)
    finally:
        loop.run_until_complete(store.close())
        loop.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(additions=records, seed=st.integers(0, 2**16), size=st.sampled_from([4, 8, 60]))
def test_property_one_right_option_with_admin_additions(shared, additions, seed, size):
    loop, store, guilds = shared
    guild_id = next(guilds)

    async def check() -> int:
        await store.catalog.import_records(additions, guild_id=guild_id, origin="guild")
        songs, artists = await whole_catalog(store, guild_id)
        pool = await store.quiz.question_pool(guild_id, size=size, rng=random.Random(seed))
        questions = candidate_questions(pool, KINDS, random.Random(seed))
        for q in questions:
            assert_fair(q, songs, artists)
        return len(questions)

    assert loop.run_until_complete(check()) > 0


async def test_a_clue_may_name_the_singer_but_the_options_are_titles(store):
    """The singer stays in a clue ("Hwasa's first-ever solo OST" is the clue's
    substance; masked, it would be unanswerable). It does not give the answer away: the options are
    song titles, so knowing who sang what is the trivia asked."""
    pool = await store.quiz.question_pool(None)
    orbit = next(s for s in pool.songs if s.title == "Orbit")
    clues = [q for q in candidate_questions(pool, ["song_from_fact"], random.Random(1)) if q.song_id == orbit.id]
    named = [q for q in clues if "Hwasa" in q.clue]
    assert named
    for q in named:
        assert "Orbit" not in q.clue and {o.text for o in q.options} <= {s.title for s in pool.songs}


async def test_every_question_of_the_catalog_survives_a_restart_as_it_was(store):
    """A running quiz keeps its questions as JSON and a restart reads them back: every
    candidate over the shipped catalog, with its other right answers, clue fact and did-you-know, comes
    back equal (every field of a question travels with it)."""
    import json

    from bot.quiz.game import decode_questions, encode_questions

    pool = await store.quiz.question_pool(None, rng=random.Random(1))
    questions = candidate_questions(pool, KINDS, random.Random(1))
    assert any(q.also for q in questions) and any(q.clue_fact for q in questions)
    assert decode_questions(json.loads(json.dumps(encode_questions(questions)))) == questions
