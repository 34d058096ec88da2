"""The quiz's pictures: `python -m benchmarks.pictures [--quick] [--out FILE.json]` (runs alone).

For a server with 10 and with 10,000 players in its history (10 answers each, spread over the last
eight weeks), the reply path of /quiz leaderboard and /quiz stats without the picture cache: the
store's reads (on SQLite; a leaderboard's ranking is kept until the scores change, and is also
measured right after a write), the picture's data, then the drawing and PNG encoding; medians and
p99 over `--calls` calls. Then the loop's side: 200 different final standings pictures asked for at once (the
end of the 200-quiz load, every game ending together) while a sampler measures event-loop lag; they
are drawn in a worker thread, one at a time, so the loop only waits for the GIL between bytecodes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.pictures import Entry, Leaderboard, PictureCache, Standings, Stats, TopicLine, render
from bot.quiz.questions import Name, Question
from bot.quiz.scoring import Points
from bot.quiz.session import Answer, RoundResult
from bot.store import Store

from .harness import LagSampler, summary

GUILD, CHANNEL = 500, 501
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
ANSWERS_EACH = 10
KINDS = ("drama_of_song", "artist_of_song", "year_of_song", "song_from_fact", "lead_actor")


async def fill(store: Store, players: int, rng: random.Random) -> None:
    """`players` members with ANSWERS_EACH answers each, a round of up to 1,000 answers at a time."""
    user_ids = [10**17 + n for n in range(players)]
    rounds = [(kind, users) for kind in KINDS for users in [user_ids] for _ in range(ANSWERS_EACH // len(KINDS))]
    for number, (kind, users) in enumerate(rounds, 1):
        for start in range(0, len(users), 1000):
            when = NOW - dt.timedelta(days=rng.randrange(56), seconds=rng.randrange(86400))
            game = await store.quiz.create_game(guild_id=GUILD, channel_id=CHANNEL, started_by=users[0],
                                                mode="buttons", topic="any", rounds=1, seconds=20, now=when)
            assert game is not None
            question = Question(f"{kind}:{number}:{start}", kind, tuple(Name(x) for x in "abcd"), 0, ("a",))
            answers = tuple(Answer(u, right, 2.0, Points(100 if right else 0, 20 if right else 0, 0), 1, "a")
                            for u in users[start:start + 1000] for right in [rng.random() < 0.7])
            await store.quiz.record_round(game, GUILD, CHANNEL, RoundResult(1, question, answers), when,
                                          end_status="finished")


def name(user_id: int) -> str:
    return ("김민지", "Lee Jae-won", "박서준", "Sophie", "minji_kpop")[user_id % 5] + f" {user_id % 1000}"


def drawn(data: Leaderboard | Stats) -> tuple[float, float]:
    """The picture drawn: wall time, and this thread's CPU time (what other processes cannot inflate)."""
    began, cpu = time.perf_counter(), time.thread_time()
    render(data)
    return time.perf_counter() - began, time.thread_time() - cpu


async def leaderboard_reply(store: Store, caller: int) -> tuple[float, float, float]:
    began = time.perf_counter()
    rows = await store.quiz.leaderboard(GUILD, user_id=caller)
    entries = [Entry(r.rank, name(r.user_id), r.user_id, r.points, r.games, r.correct, r.answered) for r in rows]
    data = Leaderboard("드라마 OST 클럽", "ko", "all", "points", tuple(e for e in entries if e.rank <= 10),
                       next((e for e in entries if e.rank > 10), None))
    read = time.perf_counter()
    return read - began, *drawn(data)


async def stats_reply(store: Store, user_id: int) -> tuple[float, float, float]:
    began = time.perf_counter()
    stats = await store.quiz.player_stats(GUILD, user_id)
    weeks = await store.quiz.weekly_points(GUILD, user_id, NOW)
    assert stats is not None
    data = Stats("드라마 OST 클럽", "ko", name(user_id), user_id, stats.games, stats.answered, stats.correct,
                 stats.best_streak, stats.points, stats.wins,
                 tuple(TopicLine(a.topic, a.answered, a.correct) for a in stats.by_topic), weeks)
    read = time.perf_counter()
    return read - began, *drawn(data)


def timings(calls: list[tuple[float, float, float]]) -> dict[str, Any]:
    ms = lambda values: {k: round(v * 1000, 2) for k, v in summary(values).items() if k != "n"}  # noqa: E731
    return {"store_ms": ms([a for a, _, _ in calls]), "render_ms": ms([b for _, b, _ in calls]),
            "render_cpu_ms": ms([c for _, _, c in calls]), "total_ms": ms([a + b for a, b, _ in calls]),
            "calls": len(calls)}


async def reply_paths(players: int, calls: int, folder: Path) -> dict[str, Any]:
    store = await Store.open(folder / f"pictures-{players}.db")
    try:
        rng = random.Random(players)
        began = time.perf_counter()
        await fill(store, players, rng)
        filled = time.perf_counter() - began
        users = [10**17 + rng.randrange(players) for _ in range(calls)]
        board = [await leaderboard_reply(store, u) for u in users]
        cold = []
        for user in users[:max(3, calls // 10)]:   # as if each followed a write: the server ranked again
            store.quiz._boards._kept.clear()
            cold.append(await leaderboard_reply(store, user))
        stats = [await stats_reply(store, u) for u in users]
    finally:
        await store.close()
    return {"players": players, "answers": players * ANSWERS_EACH, "fill_seconds": round(filled, 1),
            "leaderboard": timings(board), "stats": timings(stats), "leaderboard_after_write": timings(cold)}


def standings(n: int) -> Standings:
    entries = tuple(Entry(rank, name(n * 10 + rank), n * 10 + rank, 1000 - rank * 90 + n, correct=3)
                    for rank in range(1, 11))
    return Standings(f"Server {n}", "en", "classic", entries)


async def loop_lag(count: int) -> dict[str, Any]:
    """`count` different standings pictures asked for at once, as at the end of the quiz load."""
    cache = PictureCache(size=count)
    lag = LagSampler()
    await asyncio.sleep(0)
    lag.start()
    await asyncio.sleep(0.2)
    idle = len(lag.lags)
    began = time.perf_counter()
    await asyncio.gather(*(cache.picture(n, standings(n)) for n in range(count)))
    seconds = time.perf_counter() - began
    await lag.stop()
    lags = lag.lags[idle:]
    return {"pictures": count, "seconds": round(seconds, 2), "per_picture_ms": round(seconds / count * 1000, 1),
            "lag_ms": {k: round(v * 1000, 2) for k, v in summary(lags).items() if k != "n"}, "samples": len(lags)}


def warm_up() -> None:
    """One picture of each kind first: a process opens the font at each size once, on its first picture."""
    entry = Entry(1, "김민지", 1, 10)
    render(Leaderboard("s", "ko", "all", "points", (entry,), entry))
    render(Stats("s", "ko", "김민지", 1, 1, 1, 1, 1, 1, 1, (TopicLine("dramas", 1, 1),), (1, 2)))
    render(standings(0))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    warm_up()
    with tempfile.TemporaryDirectory() as folder:
        paths = [await reply_paths(players, args.calls, Path(folder)) for players in args.players]
    lag = await loop_lag(args.standings)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"status": "ok", "paths": paths, "standings": lag, "peak_rss_kb": rss}


TARGET_MS = 50.0


def section(result: dict[str, Any]) -> list[str]:
    """The BENCHMARKS.md section of these figures."""
    out = ["## Pictures\n"]
    if result.get("status") != "ok":
        return [*out, result.get("status", "not measured"), ""]
    out.append("The reply path of /quiz leaderboard and /quiz stats without the picture cache (`python -m "
               "benchmarks.pictures`, SQLite): the store's reads, then drawing and encoding the 800 px PNG. "
               f"{ANSWERS_EACH} answers per player over eight weeks. Target: {TARGET_MS:.0f} ms median each.\n")
    out.append("| view | players | store median | picture median (its CPU) | total median | total p99 | target |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    for path in result["paths"]:
        for view in ("leaderboard", "stats"):
            r = path[view]
            met = "**met**" if r["total_ms"]["median"] <= TARGET_MS else "**missed**"
            out.append(f"| {view} | {path['players']:,} | {r['store_ms']['median']} ms | {r['render_ms']['median']} ms "
                       f"({r['render_cpu_ms']['median']} ms) "
                       f"| {r['total_ms']['median']} ms | {r['total_ms']['p99']} ms | {met} |")
    out.append("\nA leaderboard asked again before the server's scores change finds its ranking kept (one read "
               "of the scores' version). Asked right after a write (a recorded round, a reset), the server is "
               "ranked again:\n")
    out.append("| players | store median | store p99 |")
    out.append("| --- | --- | --- |")
    for path in result["paths"]:
        cold = path["leaderboard_after_write"]["store_ms"]
        out.append(f"| {path['players']:,} | {cold['median']} ms | {cold['p99']} ms |")
    lag = result["standings"]
    out.append(f"\n{lag['pictures']} different final standings pictures asked for at once (drawn in a worker thread, "
               f"one at a time): {lag['seconds']} s in all, {lag['per_picture_ms']} ms each; the event loop's lag "
               f"meanwhile p99 {lag['lag_ms']['p99']} ms, max {lag['lag_ms']['max']} ms. Peak RSS "
               f"{result['peak_rss_kb'] / 1024:.0f} MB.\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pictures", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few calls, small servers (smoke test)")
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--players", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--standings", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.players, args.standings = 3, [10, 50], 6
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    for path in result["paths"]:
        for view in ("leaderboard", "stats"):
            total = path[view]["total_ms"]
            print(f"{view} at {path['players']:,} players: median {total['median']} ms, p99 {total['p99']} ms "
                  f"(store {path[view]['store_ms']['median']} ms, picture {path[view]['render_ms']['median']} ms, "
                  f"its CPU {path[view]['render_cpu_ms']['median']} ms)", flush=True)
    print(f"standings x{args.standings} at once: loop lag p99 {result['standings']['lag_ms']['p99']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
