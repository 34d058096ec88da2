"""Which Discord shards, and so which servers, this process owns. Plain Python, no discord import.

A server belongs to shard `(guild_id >> 22) % shard_count` (Discord's rule). A process runs a set
of shard ids out of `shard_count`; work tied to a server (the song of the day, quiz recovery, any
timer) runs only in the process that owns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """`0-3`, `4,5,7` or `0-1,6` as sorted shard ids; ValueError on anything else (or an overlap)."""
    ids: list[int] = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"{part.strip() or 'an empty part'!r} is not a shard id or a range like 0-3")
        low = int(match[1])
        high = int(match[2]) if match[2] is not None else low
        if high < low:
            raise ValueError(f"the range {low}-{high} runs backwards")
        ids.extend(range(low, high + 1))
    if len(set(ids)) != len(ids):
        raise ValueError("a shard id is listed twice")
    return tuple(sorted(ids))


def format_shard_ids(ids: tuple[int, ...]) -> str:
    """The shortest `0-3,6` form of sorted ids."""
    parts: list[str] = []
    start = prev = None
    for i in (*ids, None):
        if i is not None and prev is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = i
    return ",".join(parts)


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards of one process. `count` None: not sharded (one process owns everything)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    @property
    def owned(self) -> tuple[int, ...]:
        if self.count is None:
            return (0,)
        return self.ids if self.ids is not None else tuple(range(self.count))

    def owns(self, guild_id: int | None) -> bool:
        if self.count is None or guild_id is None:
            return True
        return shard_of(guild_id, self.count) in self.owned

    @property
    def syncs_commands(self) -> bool:
        """Command sync is the job of one process of the fleet: the owner of shard 0."""
        return 0 in self.owned

    @property
    def is_whole_fleet(self) -> bool:
        return self.count is None or len(self.owned) == self.count


@dataclass(frozen=True, slots=True)
class Member:
    """One process of the fleet, as its heartbeat row says."""

    id: str
    shard_count: int | None
    shard_ids: tuple[int, ...]
    guilds: int
    seconds_since_heartbeat: float

    def alive(self, stale_after: float) -> bool:
        return self.seconds_since_heartbeat <= stale_after


def fleet_problems(members: list[Member], stale_after: float) -> list[str]:
    """What `ostbot status` flags: shards no live process owns, shards two own (a rolling deploy
    overlaps for a moment; longer, one of them is stuck), and processes disagreeing on the count."""
    live = [m for m in members if m.alive(stale_after)]
    problems: list[str] = []
    counts = sorted({m.shard_count for m in live if m.shard_count is not None})
    if len(counts) > 1:
        problems.append(f"live processes disagree on the shard count: {', '.join(map(str, counts))}")
    unsharded = [m for m in live if m.shard_count is None]
    if unsharded and len(live) > 1:
        problems.append(f"{len(unsharded)} unsharded process(es) run beside others: each serves every server")
    for count in counts:
        owners: dict[int, list[str]] = {shard: [] for shard in range(count)}
        for m in live:
            if m.shard_count == count:
                for shard in m.shard_ids:
                    owners.setdefault(shard, []).append(m.id)
        if missing := tuple(shard for shard, who in owners.items() if not who):
            problems.append(f"no live process owns shard {format_shard_ids(missing)} of {count}")
        for shard, who in sorted(owners.items()):
            if len(who) > 1:
                problems.append(f"shard {shard} of {count} is owned by {len(who)} live processes: {', '.join(who)}")
    if not live:
        problems.append("no live process")
    return problems


def fleet_guilds(members: list[Member], stale_after: float) -> int:
    return sum(m.guilds for m in members if m.alive(stale_after))
