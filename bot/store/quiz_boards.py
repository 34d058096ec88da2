"""Leaderboards kept ready: a server's whole ranking, kept by (server, period start, measure) until its
scores change.

Ranking a server means summing every answer of the period and finding every game's winners: about a
quarter of a second at 10,000 players with 100,000 answers. A server's scores have a version (meta
'scores:<server>', bumped in the same transaction by every write that changes a score or a win:
a recorded round, a game's end, a reset), so a leaderboard asked again before the next such write is
one indexed read of that version plus the kept ranking. The version lives in the database, so a write
by another process is seen too. The period's start is taken to the minute (a "last 7 days" board is
at most a minute behind the clock). The last KEPT rankings are kept, least recently used dropped first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .connection import Store

KEPT = 8
_BUMP = ("INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
         "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)")


def scores_key(guild_id: int) -> str:
    return f"scores:{guild_id}"


async def bump(tx: Any, guild_id: int) -> None:
    """A write in `tx` changes the server's scores: its kept rankings are stale once `tx` commits."""
    await tx.execute(_BUMP, (scores_key(guild_id),))


def to_the_minute(since: str) -> str:
    """A store time ('YYYY-MM-DDTHH:MM:SSZ') rounded down to its minute; '' stays ''."""
    return f"{since[:17]}00Z" if since else ""


class Ranking(NamedTuple):
    rows: tuple[Any, ...]          # best first
    position: dict[int, int]       # user id -> index in rows

    def top(self, limit: int, user_id: int | None) -> list[Any]:
        """The first `limit` rows, and `user_id`'s row after them when it is below."""
        rows = list(self.rows[:limit])
        index = self.position.get(user_id) if user_id is not None else None
        if index is not None and index >= limit:
            rows.append(self.rows[index])
        return rows


class Boards:
    def __init__(self, store: Store, size: int = KEPT) -> None:
        self._store = store
        self.size = size
        self._kept: OrderedDict[tuple[int, str, str], tuple[str | None, Ranking]] = OrderedDict()
        self.computed = 0   # rankings computed (not found kept)

    def __len__(self) -> int:
        return len(self._kept)

    async def ranking(self, guild_id: int, since: str, rank_by: str,
                      compute: Callable[[], Awaitable[tuple[Any, ...]]]) -> Ranking:
        """The server's ranking, kept or computed by `compute` (rows with a user_id, best first)."""
        version = await self._store.fetchval("SELECT value FROM meta WHERE key = ?", (scores_key(guild_id),))
        key = (guild_id, since, rank_by)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == version:
            self._kept.move_to_end(key)
            return kept[1]
        rows = await compute()   # read after the version: a write in between only makes it newer
        self.computed += 1
        ranking = Ranking(rows, {row.user_id: index for index, row in enumerate(rows)})
        self._kept[key] = (version, ranking)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return ranking
