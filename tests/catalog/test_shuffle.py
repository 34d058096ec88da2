"""The no-repeat shuffle bag."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.catalog.shuffle import ShuffleBag, ShuffleBags


@given(pool=st.lists(st.integers(0, 10_000), min_size=1, max_size=40, unique=True), seed=st.integers(0, 2**32))
def test_no_repeat_until_the_pool_is_exhausted(pool, seed):
    bag, rng = ShuffleBag(), random.Random(seed)
    first_round = [bag.draw(pool, rng) for _ in pool]
    assert sorted(first_round) == sorted(pool)
    second_round = [bag.draw(pool, rng) for _ in pool]
    assert sorted(second_round) == sorted(pool)
    if len(pool) > 1:
        assert second_round[0] != first_round[-1]  # a refill never repeats the last song at once


def test_empty_pool_gives_nothing():
    assert ShuffleBag().draw([], random.Random(1)) is None


def test_a_changed_pool_keeps_what_was_drawn():
    bag, rng = ShuffleBag(), random.Random(3)
    drawn = {bag.draw([1, 2, 3, 4], rng, version=1) for _ in range(2)}
    rest = {bag.draw([1, 2, 3, 4, 5], rng, version=2) for _ in range(3)}
    assert drawn.isdisjoint(rest) and drawn | rest == {1, 2, 3, 4, 5}


def test_bags_are_separate_per_key_and_bounded():
    bags = ShuffleBags(random.Random(5), max_bags=3)
    a = [bags.draw(("chan-a", None), [1, 2]) for _ in range(2)]
    b = [bags.draw(("chan-b", None), [1, 2]) for _ in range(2)]
    assert sorted(a) == sorted(b) == [1, 2]
    for n in range(10):
        bags.draw(n, [1])
    assert len(bags) == 3
