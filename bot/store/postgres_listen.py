"""LISTEN for other processes' changes on a PostgreSQL connection of its own, reconnecting while the
server is away (1, 2, 4 ... up to 30 seconds apart)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from .postgres_session import UNAVAILABLE

log = logging.getLogger(__name__)


class Listener:
    """LISTEN on a connection of its own (not the pool's). Nothing waits on it: asyncpg calls back on a
    notification, and on the connection's end, which schedules a reconnect; after a reconnect
    `heard(None)` says that notifications may have been missed. `closed()`: the store is closing, so
    nothing connects again."""

    RELISTEN_AFTER = 1.0  # then 2, 4 ... seconds while the server stays away
    RELISTEN_MAX = 30.0

    def __init__(self, url: str, connect_timeout: float, closed: Callable[[], bool]) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._closed = closed
        self._channel = ""
        self._heard: Callable[[str | None], None] = lambda _payload: None
        self.connection: asyncpg.Connection | None = None  # while listening
        self._relisten: asyncio.Task[None] | None = None
        self._relisten_delay = self.RELISTEN_AFTER

    async def listen(self, channel: str, heard: Callable[[str | None], None]) -> None:
        self._channel, self._heard = channel, heard
        if self.connection is None:
            await self._connect(again=False)

    async def _connect(self, *, again: bool) -> None:
        try:
            conn = await asyncpg.connect(self._url, timeout=self._connect_timeout)
            heard = self._heard
            await conn.add_listener(self._channel, lambda _conn, _pid, _channel, payload: heard(payload))
        except UNAVAILABLE as exc:
            log.info("listening for changes: cannot connect (%s); trying again", type(exc).__name__)
            self._relisten_later()
            return
        if self._closed():
            conn.terminate()
            return
        conn.add_termination_listener(self._lost)
        self.connection = conn
        self._relisten_delay = self.RELISTEN_AFTER
        if again:
            log.info("listening for changes again")
            self._heard(None)

    def _lost(self, _conn: object) -> None:
        # INFO, not WARNING: it comes back by itself, and an outage is already one warning per command
        # that met it.
        self.connection = None
        if not self._closed():
            log.info("listening for changes: the connection was lost; reconnecting")
            self._relisten_later()

    def _relisten_later(self) -> None:
        delay = self._relisten_delay
        self._relisten_delay = min(2 * delay, self.RELISTEN_MAX)  # a long outage: fewer attempts

        async def relisten() -> None:
            await asyncio.sleep(delay)
            if not self._closed():
                await self._connect(again=True)

        self._relisten = asyncio.get_running_loop().create_task(relisten(), name="ost-relisten")

    async def close(self) -> None:
        """Stop reconnecting and end the listening connection."""
        if self._relisten is not None:
            self._relisten.cancel()
            await asyncio.gather(self._relisten, return_exceptions=True)
        if self.connection is not None:
            self.connection.terminate()
            self.connection = None
