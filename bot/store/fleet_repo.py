"""The fleet: one row per running bot process, written by its heartbeat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..sharding import Member, parse_shard_ids
from .times import parse_stamp, stamp

if TYPE_CHECKING:
    from .connection import Store


@dataclass(frozen=True, slots=True)
class ProcessRow:
    id: str
    host: str
    pid: int
    shard_count: int | None
    shard_ids: str
    guilds: int
    version: str
    started_at: str
    heartbeat_at: str

    def member(self, now: dt.datetime) -> Member:
        """Its shards, and how long since its heartbeat at `now`."""
        return Member(self.id, self.shard_count, parse_shard_ids(self.shard_ids) if self.shard_ids else (),
                      self.guilds, (now - parse_stamp(self.heartbeat_at)).total_seconds())


class FleetRepo:
    # A row not refreshed for this long belongs to a process that is gone (crashed, or killed).
    FORGET_AFTER = dt.timedelta(days=1)

    def __init__(self, store: Store) -> None:
        self._store = store

    async def heartbeat(self, *, host: str, pid: int, shard_count: int | None, shard_ids: str, guilds: int,
                        version: str, started_at: dt.datetime, now: dt.datetime) -> None:
        """This process is alive (an upsert of its row); rows silent for a day are removed."""
        async with self._store.transaction() as tx:
            await tx.execute(
                "INSERT INTO processes (id, host, pid, shard_count, shard_ids, guilds, version, started_at, "
                "heartbeat_at) VALUES (:id, :host, :pid, :count, :ids, :guilds, :version, :started, :now) "
                "ON CONFLICT (id) DO UPDATE SET guilds = excluded.guilds, heartbeat_at = excluded.heartbeat_at",
                {"id": self._store.token, "host": host, "pid": pid, "count": shard_count, "ids": shard_ids,
                 "guilds": guilds, "version": version, "started": stamp(started_at), "now": stamp(now)})
            await tx.execute("DELETE FROM processes WHERE heartbeat_at < ?", (stamp(now - self.FORGET_AFTER),))

    async def forget(self) -> None:
        """This process stops (a clean shutdown): its row goes."""
        async with self._store.transaction() as tx:
            await tx.execute("DELETE FROM processes WHERE id = ?", (self._store.token,))

    async def processes(self) -> list[ProcessRow]:
        rows = await self._store.fetch(
            "SELECT id, host, pid, shard_count, shard_ids, guilds, version, started_at, heartbeat_at "
            "FROM processes ORDER BY shard_ids, started_at")
        return [ProcessRow(*r) for r in rows]

    async def members(self, now: dt.datetime) -> list[Member]:
        """Every recorded process as the fleet sees it (see `ProcessRow.member`)."""
        return [p.member(now) for p in await self.processes()]
