"""Which songs can still bring a question a channel has not seen: the quiz's freshness rules.

A channel remembers the questions it was asked (`quiz_seen`, keys like "drama_of_song:12:…"). A song
is fresh for a topic while one of the topic's song kinds has not asked about it, or one of its drama
kinds has not asked about its drama. The question pool takes fresh songs first, at random, then seen
ones."""

from __future__ import annotations

import random
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

from .questions import KINDS

SONG_KINDS = frozenset({"drama_of_song", "artist_of_song", "year_of_song", "song_from_fact"})
DRAMA_KINDS = frozenset({"song_of_drama", "lead_actor"})


class Pair(Protocol):
    """A song id and its drama id, by position: a store row or a tuple."""

    def __getitem__(self, index: int, /) -> Any: ...


class Freshness:
    """Which songs could still bring a question this channel has not seen, for the topic's kinds."""

    def __init__(self, seen: dict[str, int], kinds: tuple[str, ...]) -> None:
        self.song_kinds = [k for k in kinds if k in SONG_KINDS]
        self.drama_kinds = [k for k in kinds if k in DRAMA_KINDS]
        self.seen: dict[str, set[int]] = {k: set() for k in KINDS}
        for key in seen:
            kind, _, rest = key.partition(":")
            subject = rest.split(":", 1)[0]
            if kind in self.seen and subject.isdigit():
                self.seen[kind].add(int(subject))

    def fresh(self, song_id: int, drama_id: int) -> bool:
        return (any(song_id not in self.seen[k] for k in self.song_kinds)
                or any(drama_id not in self.seen[k] for k in self.drama_kinds))

    def pick(self, rows: Iterable[Pair], count: int, rng: random.Random,
             taken: AbstractSet[int] = frozenset()) -> list[int]:
        """Up to `count` song ids of `rows` (id, drama id) not in `taken`: at random, fresh ones first."""
        pairs = [(r[0], r[1]) for r in rows if r[0] not in taken]
        rng.shuffle(pairs)
        pairs.sort(key=lambda r: not self.fresh(*r))  # stable: random within fresh, then within seen
        return [r[0] for r in pairs[:count]]
