"""Songs added per second by a 100-track fetch from MusicBrainz, network excluded.

Each fetch is a `Release` built in memory (100 vocal tracks, Hangul titles with Latin ones, one or two
credited singers of a pool of 40, some known to the catalog), planned (`catalog.fetched.plan_fetch`:
the /catalog add validation of every title and name) and added (`CatalogRepo.add_fetched`: one
transaction that links, reuses, inserts, indexes and bumps the catalog's generation). `--fetches`
distinct releases go into one database in turn, so the later ones match against a catalog grown by
the earlier ones. What is timed is plan + add; the figures are per fetch.

`python -m benchmarks.fetch [--fetches N] [--database PATH_OR_URL] [--json]` runs it alone;
`python -m benchmarks` runs it too (BENCHMARKS.md, "Adding a fetch from MusicBrainz").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.catalog.fetched import plan_fetch
from bot.catalog.seedfile import load_catalog
from bot.musicbrainz.models import Release, Singer, Track
from bot.store import Store

TRACKS = 100
SINGERS = [Singer(f"가수{n}", (f"Singer {n}",)) for n in range(40)] + [Singer("찬열", ("Chanyeol",))]


def release(index: int) -> Release:
    """The `index`th made-up OST release: 100 vocal tracks, each its own recording."""
    tracks = tuple(Track(title=f"노래 {index}-{n}", latin_title=f"Song {index} take {n}",
                         singers=(SINGERS[(index * 7 + n) % len(SINGERS)],) + ((SINGERS[-1],) if n % 10 == 0 else ()),
                         recording_mbid=f"b0000000-0000-4000-{index:04d}-{n:012d}", disc=1, position=n,
                         instrumental=False) for n in range(1, TRACKS + 1))
    mbid = f"d0000000-0000-4000-8000-{index:012d}"
    return Release(mbid=mbid, title=f"드라마 {index} OST", date="2020-01-01", release_group_mbid=mbid,
                   release_group_title=f"드라마 {index} OST", drama=f"드라마 {index}", tracks=tracks,
                   cover_url=f"https://coverartarchive.org/release/{mbid}/front-250", track_count=TRACKS)


async def measure(database: Path | str, fetches: int) -> dict[str, Any]:
    store = await Store.open(database)
    try:
        await store.catalog.seed(load_catalog())
        seconds: list[float] = []
        added = 0
        for index in range(fetches):
            made = release(index)
            began = time.perf_counter()
            result = await store.catalog.add_fetched(plan_fetch([made]))
            seconds.append(time.perf_counter() - began)
            added += len(result.added)
        songs = (await store.catalog.counts()).songs
    finally:
        await store.close()
    median = statistics.median(seconds)
    ordered = sorted(seconds)
    return {"engine": store.engine, "fetches": fetches, "tracks": TRACKS, "added": added, "songs_after": songs,
            "median_s": median, "p99_s": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "songs_per_s": TRACKS / median}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch", description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=20, help="100-track fetches, one after the other")
    parser.add_argument("--database", help="a SQLite file or postgresql:// URL (default: a new temporary file)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ost-bench-fetch-") as temp:
        database: Path | str = args.database or Path(temp) / "fetch.db"
        figures = asyncio.run(measure(database, args.fetches))
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['engine']}: {figures['fetches']} fetches of {TRACKS} tracks, {figures['added']} songs added "
              f"({figures['songs_after']} in the catalog after): median {figures['median_s'] * 1000:.1f} ms a fetch, "
              f"p99 {figures['p99_s'] * 1000:.1f} ms; {figures['songs_per_s']:.0f} songs added per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
