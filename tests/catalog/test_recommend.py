"""Similarity and reasons for /recommend, on the seeded catalog."""

from __future__ import annotations

import pytest

from bot.catalog.recommend import Reason, description_words, recommend, score_pair
from bot.catalog.service import CatalogService

pytestmark = pytest.mark.both_engines


@pytest.fixture
async def songs(store):
    ids = await store.catalog.visible_song_ids(None)
    return {s.key: s for s in await store.catalog.songs_by_ids(ids)}


async def test_the_given_song_never_appears_and_at_most_five(songs):
    for song in songs.values():
        picks = recommend([song], list(songs.values()))
        assert 1 <= len(picks) <= 5
        assert song.id not in [p.song.id for p in picks]
        assert all(p.reasons for p in picks)
        assert [p.score for p in picks] == sorted((p.score for p in picks), reverse=True)


async def test_shared_artist_drama_group_and_tags_are_the_reasons(songs):
    _, reasons = score_pair(songs["stay-with-me"], songs["everytime"])
    assert Reason("artist", ("Punch", "펀치")) in reasons
    _, reasons = score_pair(songs["stay-with-me"], songs["i-will-go-to-you-like-the-first-snow"])
    assert Reason("drama", ("Goblin", "도깨비")) in reasons
    _, reasons = score_pair(songs["stay-with-me"], songs["for-you"])
    assert Reason("group", ("EXO", "엑소")) in reasons
    _, reasons = score_pair(songs["this-love"], songs["you-are-my-everything"])
    assert Reason("style_mood", ("piano ballad", "emotional")) in reasons


async def test_closest_songs_rank_first(songs):
    picks = recommend([songs["stay-with-me"]], list(songs.values()))
    top = [p.song.key for p in picks[:3]]
    assert "i-will-go-to-you-like-the-first-snow" in top and "everytime" in top
    picks = recommend([songs["this-love"]], list(songs.values()))
    assert picks[0].song.drama.key == "descendants-of-the-sun"


async def test_a_drama_recommends_songs_from_other_dramas(store, songs):
    goblin = [s for s in songs.values() if s.drama.key == "goblin"]
    picks = await CatalogService(store).recommend(goblin, None)
    assert picks and all(p.song.drama.key != "goblin" for p in picks)


def test_description_words_drop_filler():
    assert description_words("The song of a ballad about longing") == {"ballad", "longing"}
