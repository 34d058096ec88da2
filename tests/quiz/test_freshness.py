"""The quiz's freshness rules: which songs can still bring a question a channel has not seen."""

from __future__ import annotations

import random

from bot.quiz.freshness import Freshness
from bot.quiz.questions import KINDS


def test_a_song_is_fresh_while_a_kind_of_the_topic_has_not_asked_about_it():
    seen = {"drama_of_song:1:goblin": 1, "artist_of_song:1:ailee": 2, "song_of_drama:10:x": 3}
    singers = Freshness(seen, ("artist_of_song",))
    assert not singers.fresh(1, 10) and singers.fresh(2, 10)
    assert Freshness(seen, KINDS).fresh(1, 10)  # no year question about song 1 yet
    dramas = Freshness(seen, ("song_of_drama",))
    assert not dramas.fresh(2, 10) and dramas.fresh(2, 11)


def test_pick_takes_fresh_songs_first_and_leaves_the_taken_out():
    fresh = Freshness({"artist_of_song:1:a": 1, "artist_of_song:2:b": 2}, ("artist_of_song",))
    assert sorted(fresh.pick([(1, 10), (2, 10), (3, 10), (4, 11)], 2, random.Random(0))) == [3, 4]
    assert sorted(fresh.pick([(1, 10), (2, 10), (3, 10)], 3, random.Random(0))) == [1, 2, 3]
    assert fresh.pick([(1, 10), (3, 10)], 5, random.Random(0), taken={3}) == [1]
