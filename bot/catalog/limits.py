"""How much one server may write to its own catalog: so that no server can slow the others down.

Two limits, both settings: the songs a server may add (`OST_MAX_SERVER_SONGS`, checked by the store
inside the write's own transaction, so an import that would pass it adds nothing) and the catalog
writes a server may make in a minute (`OST_CATALOG_WRITES_PER_MINUTE`, checked here before any
write: add, remove, hide, restore, import, a MusicBrainz fetch). Plain Python, no discord import.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

DEFAULT_MAX_SERVER_SONGS = 5_000
# A manager adding songs by hand does a few a minute; an import is one write however many rows.
DEFAULT_WRITES_PER_MINUTE = 10
WINDOW = 60.0


class ServerSongLimit(Exception):
    """A write would leave the server with more than `limit` songs of its own."""

    def __init__(self, limit: int, songs: int, adding: int) -> None:
        super().__init__(f"a server may add at most {limit} songs; it has {songs}, the write adds {adding}")
        self.limit = limit
        self.songs = songs
        self.adding = adding


class CatalogWritesTooFast(Exception):
    """The server made its writes of the minute; the next is allowed in `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many catalog writes; retry in {retry_after:.0f} s")
        self.retry_after = retry_after


class WriteRate:
    """At most `per_minute` catalog writes per server in any 60 seconds (a sliding window), on the
    clock given (the event loop's, so tests move it with SimCord's `advance_time`)."""

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._writes: dict[int, deque[float]] = {}

    def admit(self, guild_id: int) -> None:
        """Count one write of this server, or raise CatalogWritesTooFast (nothing counted)."""
        now = self._clock()
        writes = self._writes.setdefault(guild_id, deque())
        while writes and writes[0] <= now - WINDOW:
            writes.popleft()
        if len(writes) >= self.per_minute:
            raise CatalogWritesTooFast(max(1.0, math.ceil(writes[0] + WINDOW - now)))
        writes.append(now)
        if len(self._writes) > 10_000:  # servers idle for a minute hold nothing
            for other in [g for g, w in self._writes.items() if not w or w[-1] <= now - WINDOW]:
                del self._writes[other]
