"""The quiz's question pool is drawn without reading every song id, and keeps the rules:
server-hidden and other servers' songs are never asked, unseen questions come first per channel,
every kind can come up at any catalog size, and same-titled songs (bracketed ones too) are known so
that no distractor is a second right answer. Both engines."""

from __future__ import annotations

import random

import pytest

import bot.store.quiz_repo as quiz_repo
from bot.catalog.records import SongRecord
from bot.quiz.matching import answer_key
from bot.quiz.questions import KINDS, candidate_questions, generate_questions

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 501, 502


@pytest.fixture
def sampled(monkeypatch):
    """Every catalog is sampled by drawing ids, however small (as 100,000 songs are)."""
    monkeypatch.setattr(quiz_repo, "SCAN_BELOW", 0)


def songs(prefix: str, count: int, drama_every: int = 5) -> list[SongRecord]:
    return [SongRecord(title=f"{prefix} Song {i}", artists=[f"{prefix} Singer {i % 7}"],
                       drama=f"{prefix} Drama {i // drama_every}", year=2000 + i % 20) for i in range(count)]


async def grow(store) -> tuple[set[int], set[int], set[int]]:
    """300 songs of this server, 100 of another; three shipped songs hidden here. Their id sets."""
    await store.catalog.import_records(songs("Ours", 300), guild_id=GUILD, origin="guild")
    await store.catalog.import_records(songs("Theirs", 100), guild_id=OTHER, origin="guild")
    ours = set(await store.catalog.visible_song_ids(GUILD))
    theirs = set(await store.catalog.visible_song_ids(OTHER)) - set(await store.catalog.visible_song_ids(None))
    hidden = sorted(await store.catalog.visible_song_ids(None))[:3]
    for song_id in hidden:
        assert await store.additions.hide(GUILD, song_id)
    return ours - set(hidden), theirs, set(hidden)


async def test_a_sampled_pool_holds_only_songs_this_server_sees(store, sampled):
    visible, theirs, hidden = await grow(store)
    reached: set[int] = set()
    for seed in range(12):
        pool = await store.quiz.question_pool(GUILD, rng=random.Random(seed), rounds=10)
        ids = {s.id for s in pool.songs}
        assert len(ids) == len(pool.songs) == 30
        assert ids <= visible and not ids & (theirs | hidden)
        assert not {t.id for t in pool.twins} & (theirs | hidden)
        reached |= ids
    assert len(reached) > 150  # a sample, not the same songs every time
    # The other server sees few of the ids (its 100 songs and the shipped ones): still a full pool.
    seen_there = set(await store.catalog.visible_song_ids(OTHER))
    for seed in range(5):
        pool = await store.quiz.question_pool(OTHER, rng=random.Random(seed), rounds=20)
        assert len(pool.songs) == 60 and {s.id for s in pool.songs} <= seen_there


async def test_unseen_questions_come_first_in_a_sampled_pool(store, sampled):
    visible, _, _ = await grow(store)
    ours = sorted((await store.catalog.songs_by_ids(visible, GUILD)), key=lambda s: s.id)
    fresh = {s.id for s in ours[-40:]}
    seen = {}
    for n, song in enumerate(ours[:-40]):  # every question about every other song seen in this channel
        for kind in ("drama_of_song", "artist_of_song", "year_of_song"):
            seen[f"{kind}:{song.id}"] = n
        seen[f"song_of_drama:{song.drama.id}"] = n
    for seed in range(5):
        pool = await store.quiz.question_pool(GUILD, rng=random.Random(seed), topic="years", seen=seen, rounds=8)
        assert len(pool.songs) == 24
        assert len({s.id for s in pool.songs} & fresh) >= 16  # twice the rounds, in case a song makes no question
        quiz = generate_questions(pool, 8, topic="years", seen=seen, rng=random.Random(seed))
        assert len(quiz) == 8 and not {q.key for q in quiz} & set(seen), "a seen question while unseen ones remain"


async def test_every_kind_can_come_up_in_a_big_catalog(store, sampled):
    await grow(store)
    facts = await store.quiz.question_pool(GUILD, rng=random.Random(1), topic="facts", rounds=20)
    assert facts.songs and all(any(f.is_trivia for f in s.facts) for s in facts.songs)
    actors = await store.quiz.question_pool(GUILD, rng=random.Random(1), topic="actors", rounds=20)
    assert actors.songs and all(s.drama.lead_actors for s in actors.songs)
    mixed = await store.quiz.question_pool(GUILD, rng=random.Random(1), topic="any", rounds=20)
    kinds = {q.kind for q in candidate_questions(mixed, KINDS, random.Random(1))}
    assert kinds == set(KINDS)


async def test_bracketed_same_titles_are_twins_even_after_the_pool_was_read(store):
    stay = await store.catalog.song_by_key("stay-with-me")
    first = await store.quiz.question_pool(GUILD, size=60, rng=random.Random(1))
    assert stay.id in {s.id for s in first.songs}  # the whole small catalog
    assert all(answer_key(t.title) != "staywithme" for t in first.twins if t.id != stay.id)
    # A server adds a live version to another drama: to a player, a song called Stay with Me too.
    await store.catalog.import_records([SongRecord(title="Stay With Me (Live)", artists=["Someone Else"],
                                                   drama="A Concert Film")], guild_id=GUILD, origin="guild")
    live = next(s for s in await store.catalog.songs_by_ids(await store.catalog.visible_song_ids(GUILD), GUILD)
                if s.title == "Stay With Me (Live)")
    for seed in range(6):
        pool = await store.quiz.question_pool(GUILD, size=8, rng=random.Random(seed))
        known = {s.id for s in pool.all_songs}
        if stay.id in {s.id for s in pool.songs} and live.id not in {s.id for s in pool.songs}:
            assert live.id in known
        # never offered as a second right answer: "A Concert Film" is no distractor of Stay with Me
        for q in candidate_questions(pool, ["drama_of_song"], random.Random(seed)):
            if q.song_id == stay.id:
                assert "A Concert Film" not in {o.text for o in q.options}
    # Another server does not see the live version: it is nobody's twin there.
    other = await store.quiz.question_pool(OTHER, size=60, rng=random.Random(1))
    assert live.id not in {s.id for s in other.all_songs}
