"""Near-duplicate detection for /catalog add."""

from __future__ import annotations

from bot.catalog.duplicates import is_near_duplicate, near_duplicates, similarity, title_candidates
from bot.catalog.models import Credit, Drama, Song
from bot.catalog.text import compact


def song(song_id: int, title: str, drama: str, *artists: str, hangul: str | None = None,
         drama_hangul: str | None = None) -> Song:
    return Song(id=song_id, key=f"s{song_id}", title=title, hangul=hangul, description="",
                drama=Drama(id=song_id, key=f"d{song_id}", name=drama, hangul=drama_hangul),
                credits=tuple(Credit(i, f"a{i}", name) for i, name in enumerate(artists)))


STAY = song(1, "Stay with Me", "Goblin", "Chanyeol", "Punch", drama_hangul="도깨비")
ALWAYS = song(2, "Always", "Descendants of the Sun", "Yoon Mi-rae")


def test_similarity_ignores_case_punctuation_and_brackets():
    assert similarity("Stay With Me (Goblin OST)", "stay with me") == 100
    assert similarity("Don't Cry My Love", "Dont Cry My Love") == 100
    assert similarity("Stay", "Say") < 88
    assert similarity("", "anything") == 0


def test_same_title_and_drama_or_artist_is_a_near_duplicate():
    assert is_near_duplicate(["Stay With Me (Goblin OST)"], "Goblin", ["Someone"], STAY)
    assert is_near_duplicate(["Stay with me"], "Guardian", ["Punch"], STAY)
    assert is_near_duplicate(["Stay wiht Me"], "도깨비", [], STAY)  # a typo and the Hangul drama name


def test_same_title_elsewhere_is_a_different_song():
    assert not is_near_duplicate(["Always"], "A Different Show", ["Someone New"], ALWAYS)
    assert not is_near_duplicate(["Stay"], "Goblin", ["Punch"], STAY)


def test_title_candidates_then_near_duplicates():
    names = [(i, name, compact(name)) for i, name in
             [(1, "Stay with Me"), (2, "Always"), (3, "Stay"), (1, "Stay With Me (Goblin)")]]
    ids = title_candidates(["Stay With Me"], names)
    assert ids == [1]
    assert title_candidates([""], names) == []
    assert near_duplicates(["Stay With Me"], "Goblin", [], [STAY, ALWAYS]) == [STAY]
