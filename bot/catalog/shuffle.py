"""No-repeat random picks: one shuffled bag per channel and filter set.

Every song of the filtered pool comes out once before any comes out again; when the bag is
empty it refills (never starting with the song drawn last, when there is a choice). Bags live
in memory, bounded by an LRU so a busy bot cannot grow them without limit.
"""

from __future__ import annotations

import array
import random
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

MAX_BAGS = 2048


@dataclass(slots=True)
class ShuffleBag:
    drawn: set[int] = field(default_factory=set)
    last: int | None = None
    _deck: array.array[int] = field(default_factory=lambda: array.array("q"))
    _pool_version: Hashable = None

    def draw(self, pool: Sequence[int], rng: random.Random, version: Hashable = None) -> int | None:
        """The next song id from `pool`; None only when the pool is empty.

        `version` identifies the pool's contents: when it changes the deck is rebuilt, keeping
        what was already drawn (songs added to the pool join the undrawn ones).
        """
        if not pool:
            return None
        if version != self._pool_version or not self._deck:
            if self.drawn:
                self.drawn.intersection_update(pool)
            # A compact array: a bag over a whole big catalog is 8 bytes a song, not an object each.
            self._deck = array.array("q", (song for song in pool if song not in self.drawn))
            if not self._deck:  # exhausted: refill
                self.drawn.clear()
                self._deck = array.array("q", pool)
            rng.shuffle(self._deck)
            if len(self._deck) > 1 and self._deck[-1] == self.last:
                self._deck[0], self._deck[-1] = self._deck[-1], self._deck[0]
            self._pool_version = version
        pick = self._deck.pop()
        self.drawn.add(pick)
        self.last = pick
        return pick

    def remaining(self, pool: Sequence[int]) -> int:
        return sum(1 for song in pool if song not in self.drawn)


class ShuffleBags:
    """Bags keyed by (channel, filters)."""

    def __init__(self, rng: random.Random | None = None, max_bags: int = MAX_BAGS) -> None:
        self.rng = rng or random.Random()
        self.max_bags = max_bags
        self._bags: OrderedDict[Hashable, ShuffleBag] = OrderedDict()

    def bag(self, key: Hashable) -> ShuffleBag:
        bag = self._bags.get(key)
        if bag is None:
            bag = self._bags[key] = ShuffleBag()
            while len(self._bags) > self.max_bags:
                self._bags.popitem(last=False)
        else:
            self._bags.move_to_end(key)
        return bag

    def draw(self, key: Hashable, pool: Sequence[int], version: Hashable = None) -> int | None:
        return self.bag(key).draw(pool, self.rng, version)

    def __len__(self) -> int:
        return len(self._bags)
