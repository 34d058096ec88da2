"""Pictures of the quiz's leaderboard, a member's stats and a game's final standings: PNG cards drawn
with Pillow from plain data (`models`), no Discord import.

A `PictureCache` (the quiz cog keeps one) is what the bot asks: it renders in a worker thread (off
the event loop), at most RENDERERS_AT_ONCE at a time (each holds one image of a few MB while it is
drawn), and keeps the last CACHE_SIZE pictures by (server, view, data version), the version being a
digest of the data drawn, so asking twice for the same leaderboard draws it once and nothing grows
with the number of renders.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import leaderboard, standings, stats
from .models import Entry, Leaderboard, Picture, Standings, Stats, Team, TopicLine, version

__all__ = ["Entry", "Leaderboard", "PictureCache", "Standings", "Stats", "Team", "TopicLine", "filename", "render"]

CACHE_SIZE = 64            # pictures kept (about 100 kB each)
RENDERERS_AT_ONCE = 1      # renders under way at once in this process
RENDERERS: dict[type, Callable[[Any], bytes]] = {
    Leaderboard: leaderboard.render, Stats: stats.render, Standings: standings.render}
VIEWS = {Leaderboard: "leaderboard", Stats: "stats", Standings: "standings"}


def render(data: Picture) -> bytes:
    """The PNG of `data` (blocking: a few tens of ms)."""
    return RENDERERS[type(data)](data)


def filename(data: Picture) -> str:
    """The attachment's name, which the embed's image points at (attachment://<name>)."""
    return f"{VIEWS[type(data)]}.png"


class PictureCache:
    """The last `size` pictures by (server, view, data version), least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._pictures: OrderedDict[tuple[int, str, str], bytes] = OrderedDict()
        self._renders = asyncio.Semaphore(RENDERERS_AT_ONCE)
        self.renders = 0   # pictures drawn (not found in the cache)

    def __len__(self) -> int:
        return len(self._pictures)

    def get(self, key: tuple[int, str, str]) -> bytes | None:
        png = self._pictures.get(key)
        if png is not None:
            self._pictures.move_to_end(key)
        return png

    def put(self, key: tuple[int, str, str], png: bytes) -> None:
        self._pictures[key] = png
        self._pictures.move_to_end(key)
        while len(self._pictures) > self.size:
            self._pictures.popitem(last=False)

    async def picture(self, server_id: int, data: Picture) -> bytes:
        key = (server_id, VIEWS[type(data)], version(data))
        if (png := self.get(key)) is not None:
            return png
        async with self._renders:
            if (png := self.get(key)) is None:  # drawn by another caller while this one waited
                png = await asyncio.to_thread(render, data)
                self.renders += 1
                self.put(key, png)
        return png
