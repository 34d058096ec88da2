"""What one server's look-ups search: the shared catalog's name index, as this server sees it
(without the shared songs it hides), and a small index of the server's own entries.

The shared index is built once for every server and only a change to the shared catalog builds it
again; a server's own write builds its own small index (at most `OST_MAX_SERVER_SONGS` songs) and
nothing else, so no server's writes make another server's look-ups wait. Plain Python.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from .search import KINDS, Match, NameIndex, rank_names


@dataclass(frozen=True, slots=True)
class ServerNames:
    shared: NameIndex
    own: NameIndex | None = None

    @classmethod
    def of(cls, shared: NameIndex, own: NameIndex, guild_id: int) -> ServerNames:
        """`own`: the server's entries, its `hidden` the shared songs it hides. The shared index is
        not copied: a view of it (the same arrays) carries this server's hidden songs."""
        hidden = own.hidden.get(guild_id)
        view = dataclasses.replace(shared, hidden={guild_id: hidden}) if hidden else shared
        return cls(view, own if len(own) else None)

    def __len__(self) -> int:
        return len(self.shared) + (len(self.own) if self.own is not None else 0)

    def sees(self, kind: str, entry_id: int, guild_id: int | None) -> bool:
        return self.shared.sees(kind, entry_id, guild_id) or (
            self.own is not None and self.own.sees(kind, entry_id, guild_id))

    def names(self, norm: str, guild_id: int | None, kinds: Sequence[str] = KINDS, *, prefix: bool = False,
              limit: int = 25) -> list[Match]:
        found = self.shared.names(norm, guild_id, kinds, prefix=prefix, limit=limit)
        if self.own is None:
            return found
        return rank_names([*found, *self.own.names(norm, guild_id, kinds, prefix=prefix, limit=limit)])

    def words(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 25) -> list[Match]:
        found = self.shared.words(query, guild_id, kinds, limit)
        if self.own is None:
            return found
        return rank_names([*found, *self.own.words(query, guild_id, kinds, limit)])[: limit * 3]

    def fuzzy(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 25) -> list[Match]:
        found = self.shared.fuzzy(query, guild_id, kinds, limit)
        if self.own is None:
            return found
        both = [*found, *self.own.fuzzy(query, guild_id, kinds, limit)]
        return sorted(both, key=lambda m: (-m.score, KINDS.index(m.kind), m.id))[:limit]

    def suggest(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 3) -> list[Match]:
        found = self.shared.suggest(query, guild_id, kinds, limit)
        if self.own is None:
            return found
        return sorted([*found, *self.own.suggest(query, guild_id, kinds, limit)], key=lambda m: -m.score)[:limit]
