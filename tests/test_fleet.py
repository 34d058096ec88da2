"""The fleet on one database: heartbeats, `ostbot status` and what it flags, `/about` across processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from bot.sharding import Member, fleet_guilds, fleet_problems
from bot.store import Store


def test_fleet_problems_name_missing_and_doubled_shards():
    a = Member("a", 4, (0, 1), 10, 5.0)
    b = Member("b", 4, (2, 3), 7, 5.0)
    assert fleet_problems([a, b], stale_after=90) == []
    assert fleet_guilds([a, b], stale_after=90) == 17
    silent = Member("b", 4, (2, 3), 7, 600.0)
    assert fleet_problems([a, silent], stale_after=90) == ["no live process owns shard 2-3 of 4"]
    overlap = Member("c", 4, (1, 2), 3, 1.0)  # a rolling deploy: the new process before the old one stopped
    assert fleet_problems([a, b, overlap], stale_after=90) == [
        "shard 1 of 4 is owned by 2 live processes: a, c", "shard 2 of 4 is owned by 2 live processes: b, c"]
    assert "disagree on the shard count" in fleet_problems([a, Member("d", 8, (2,), 1, 1.0)], 90)[0]
    assert fleet_problems([], 90) == ["no live process"]



async def beat(url: str, shards: str, guilds: int) -> Store:
    """Another process of the fleet, which has just recorded its heartbeat (on the wall clock, as
    `ostbot status` reads it)."""
    store = await Store.open(url)
    now = dt.datetime.now(dt.UTC)
    await store.fleet.heartbeat(host="host", pid=1, shard_count=4, shard_ids=shards, guilds=guilds, version="0.1.0",
                                started_at=now, now=now)
    return store


def status(url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    return subprocess.run([sys.executable, "-m", "bot", "--database", url, "status"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_ostbot_status_lists_the_processes_and_flags_shards(postgres_url, tmp_path):
    stores = [await beat(postgres_url, "0-1", 10), await beat(postgres_url, "2-3", 7)]
    try:
        healthy = status(postgres_url, tmp_path)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        assert "shards 0-1 of 4" in healthy.stdout and "shards 2-3 of 4" in healthy.stdout
        assert "servers across live processes: 17" in healthy.stdout and "!" not in healthy.stdout
        stores.append(await beat(postgres_url, "1-2", 3))  # overlapping, as in a rolling deploy
        await stores[1].fleet.forget()  # the process of 2-3 stops cleanly
        flagged = status(postgres_url, tmp_path)
        assert flagged.returncode == 1
        assert "! shard 1 of 4 is owned by 2 live processes" in flagged.stdout
        assert "! no live process owns shard 3 of 4" in flagged.stdout
    finally:
        for store in stores:
            await store.close()
