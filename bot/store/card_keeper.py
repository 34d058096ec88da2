"""The song cards' keeper: the loop that keeps their documents current (`song_cards.py`). One process of
a fleet runs it (`bot.app`: the owner of shard 0); `benchmarks.noisy` runs the same loop beside its
look-ups, as the bot does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)

RETRY = 5.0  # seconds before the keeper tries again after a failed build


class CardKeeper:
    """Writes the documents now, and after every catalog change, in this process or another (heard by
    notification on PostgreSQL, or seen by `Store.refresh` before an interaction). Until they are
    written, cards are read from the catalog's tables. Nothing is polled: an idle bot does no work."""

    def __init__(self, store: Store, wait_moved: Callable[[], Awaitable[object]] | None = None,
                 retry: float = RETRY) -> None:
        """`wait_moved`: returns once the catalog moves after it is called (the bot waits for its
        `catalog_moved` event, which SimCord knows as an idle wait); by default the keeper's own event,
        set by the store's watcher."""
        self.store = store
        self.retry = retry
        self.built_at: int | None = None  # the catalog generation the documents were last built for
        self._wait_moved = wait_moved or _moved_event(store)
        self.idle = asyncio.Event()  # set while it waits for the catalog to move, every document current
        store.catalog_watchers.append(self.idle.clear)  # at the move itself, before the keeper wakes

    async def run(self) -> None:
        store = self.store
        while not store.closed:
            generation = store.catalog.generation
            if generation != self.built_at:
                try:
                    if written := await store.catalog.build_card_docs():
                        log.info("song cards: %d documents written", written)
                except Exception as exc:  # a database outage: try again a little later
                    if store.closed:
                        return
                    log.warning("song cards not written: %s: %s", type(exc).__name__, exc)
                    await asyncio.sleep(self.retry)
                    continue
                self.built_at = generation
            await store.refresh()  # a notification heard during the build: its change is seen now
            if store.catalog.generation != generation:
                continue  # the catalog moved while building
            self.idle.set()
            try:
                await self._wait_moved()  # woken by the store's watcher (no task spins)
            finally:
                self.idle.clear()
            await store.refresh(force=True)  # a notification from another process: read the generations


def _moved_event(store: Store) -> Callable[[], Awaitable[object]]:
    moved = asyncio.Event()
    store.catalog_watchers.append(moved.set)

    async def wait() -> None:
        moved.clear()  # called right after the generation was compared: only a later move wakes it
        await moved.wait()

    return wait
