"""One measured bot process: `python -m benchmarks.child MODE --db PATH --out JSON ...`.

Modes:
- `startup`: start the bot (or the bare bot with `--bare`), report time from process spawn
  (`--spawned-at`, the parent's time.monotonic()) to ready, and RSS.
- `interactions`: start, then time every scenario in round-robin with the floor, then the
  quiz phase (start, clicks, reveal); report samples, first-call costs, replies and peak RSS.
- `quizload`: 200 concurrent quizzes with 10 players each (see `quizload.py`).
- `profile`: pyinstrument over one scenario; writes the text report.

`--url postgresql://...` runs the bot on that PostgreSQL database instead of the SQLite file; the
queries are still drawn from `--db` (the SQLite database the PostgreSQL one was copied from, same
rows and ids), so both engines answer the same look-ups.

Every process is fresh so caches, memory and start-up are measured from scratch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from . import wire
from .harness import ClockLoop, Harness, run, settle, summary
from .pg import CpuMeter

QUIZ_PLAYERS = 10


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kb() -> int:
    return _status_kb("VmRSS") or 0


def peak_rss_kb() -> int:
    # VmHWM starts afresh at exec; ru_maxrss would include the parent's size at fork.
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def add_floor(bot: commands.Bot) -> None:
    """The floor: the most trivial command discord.py can run, on the same bot."""

    @bot.tree.command(name="floor", description="Benchmark floor: replies ok")
    async def floor(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    @bot.tree.command(name="floorcard", description="Benchmark: a song card's shape, no look-up")
    async def floorcard(interaction: discord.Interaction) -> None:
        # What any card reply costs discord.py by itself: an embed shaped like a song card and a
        # view with two link buttons and one custom-id button, built and sent, with no look-up.
        embed = discord.Embed(title="🎵 Everytime", description=CARD_TEXT, colour=0xE91E63)
        for name, value in (("Artist", "Chen (EXO, EXO-CBX) & Punch"), ("Released", "2016-02-25"),
                            ("Drama", "Descendants of the Sun (태양의 후예)"), ("Style", "ballad · romantic · tender")):
            embed.add_field(name=name, value=value, inline=True)
        embed.set_footer(text="Source: “Throwback Thursday: Best of K-Drama Ballads” — The Kraze")
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(label="YouTube", emoji="▶️", url="https://www.youtube.com/results?q=x"))
        view.add_item(discord.ui.Button(label="Spotify", emoji="🎧", url="https://open.spotify.com/search/x"))
        view.add_item(discord.ui.Button(label="More from Descendants of the Sun", emoji="📺", custom_id="bench:more:1"))
        await interaction.response.send_message(embed=embed, view=view)


CARD_TEXT = ("A duet that opened the drama's soundtrack and topped the charts for weeks: a warm, sweeping "
             "ballad for the leads' first meeting, sung by a main vocalist and a soloist known for OSTs.")


async def make_bot(bare: bool, db: Path, url: str | None = None) -> commands.Bot:
    if bare:
        bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                           allowed_mentions=discord.AllowedMentions.none(), help_command=None)
    else:
        from bot.app import open_bot
        from bot.config import Settings

        bot = await open_bot(Settings(database_path=db, database_url=url, log_level="WARNING", heartbeat_seconds=None))
    add_floor(bot)
    return bot


async def start(bare: bool, db: Path, channels: int = 1, url: str | None = None) -> Harness:
    world = wire.World.create(channels=channels)
    harness = Harness(await make_bot(bare, db, url), world)
    await harness.start()
    await harness.wait_ready()
    return harness


async def index_built(h: Harness) -> float:
    """Wait for the name index the bot builds in the background after READY; the seconds waited.

    Look-ups are measured in the steady state: while the first build runs (a second or two at 50,000
    songs) they use the SQL tiers and share the GIL with the build. Start-up is measured apart."""

    began = time.perf_counter()
    await h.bot.catalog.index()
    return time.perf_counter() - began


# -- queries drawn from the database ------------------------------------------------------

@dataclass
class Queries:
    titles: list[str]
    dramas: list[str]
    artists: list[str]
    moods: list[str]

    @classmethod
    def sample(cls, db: Path, k: int = 60, seed: int = 3) -> Queries:
        rng = random.Random(seed)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            def pick(sql: str) -> list[str]:
                count = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
                offsets = sorted(rng.sample(range(count), min(k, count)))
                return [conn.execute(f"{sql} LIMIT 1 OFFSET ?", (o,)).fetchone()[0] for o in offsets]

            titles = pick("SELECT title FROM songs ORDER BY id")
            dramas = pick("SELECT name FROM dramas ORDER BY id")
            artists = pick("SELECT name FROM artists ORDER BY id")
            moods = [r[0] for r in conn.execute(
                "SELECT tag FROM song_tags WHERE kind = 'mood' GROUP BY tag ORDER BY count(*) DESC LIMIT 5")]
        finally:
            conn.close()
        for values in (titles, dramas, artists):
            rng.shuffle(values)
        return cls(titles, dramas, artists, moods or ["romantic"])


def typo(text: str, rng: random.Random) -> str:
    """One edit (swap, drop or double a letter) in a longer word of `text`."""
    chars = list(text)
    letters = [i for i, c in enumerate(chars[:-1]) if c.isalpha() and chars[i + 1].isalpha()]
    if not letters:
        return text + "e"
    i = rng.choice(letters)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif kind == "drop":
        del chars[i]
    else:
        chars.insert(i, chars[i])
    return "".join(chars)


def keystrokes(titles: list[str]) -> list[str]:
    """What autocomplete sees while someone types each title: every prefix, then the whole."""
    out: list[str] = []
    for title in titles:
        out += [title[:n] for n in range(1, min(len(title), 12) + 1)]
    return out


# -- scenarios ------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    command: str | None          # must exist in the tree, else "not built yet"
    make: Callable[[Harness, int], dict[str, Any]]
    samples: list[float] = field(default_factory=list)
    first: float | None = None
    errors: list[str] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)
    status: str = "ok"
    spent: float = 0.0

    def result(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "samples": self.samples, "first": self.first,
                "errors": self.errors[:5], "error_count": len(self.errors), "replies": self.replies}


def lookup_scenarios(q: Queries) -> list[Scenario]:
    rng = random.Random(11)
    mixed = [v for group in zip(q.titles, q.dramas, q.artists, [typo(t, rng) for t in q.titles], strict=False)
             for v in group]
    no_match = [f"{w} {x}" for w, x in zip(("zqxv", "plomb", "vrexit", "qwyzzle", "jxkt", "mbrrf"),
                                           ("wplm", "trizz", "kvoo", "glarp", "snee", "fwop"), strict=True)]
    typing = keystrokes(q.titles[:20])

    def cycle(values: list[str]) -> Callable[[int], str]:
        return lambda i: values[i % len(values)]

    ost_q, nomatch_q, ac_q, like_q = cycle(mixed), cycle(no_match), cycle(typing), cycle(q.titles)
    repeat_q = cycle(mixed[:10])  # the same ten look-ups again and again: what caches make of them
    mood_q = cycle(q.moods)
    return [
        Scenario("floor", "floor", lambda h, i: h.world.slash("floor", user_id=h.user(i % 8))),
        Scenario("/ost", "ost", lambda h, i: h.world.slash("ost", {"query": ost_q(i)}, user_id=h.user(i % 8))),
        Scenario("/ost no match", "ost",
                 lambda h, i: h.world.slash("ost", {"query": nomatch_q(i)}, user_id=h.user(i % 8))),
        Scenario("/ost autocomplete", "ost",
                 lambda h, i: h.world.autocomplete("ost", "query", ac_q(i), user_id=h.user(i % 8))),
        Scenario("/random", "random", lambda h, i: h.world.slash("random", user_id=h.user(i % 8))),
        Scenario("/random mood", "random",
                 lambda h, i: h.world.slash("random", {"mood": mood_q(i)}, user_id=h.user(i % 8))),
        Scenario("/recommend", "recommend",
                 lambda h, i: h.world.slash("recommend", {"like": like_q(i)}, user_id=h.user(i % 8))),
        Scenario("/ost repeated", "ost",
                 lambda h, i: h.world.slash("ost", {"query": repeat_q(i)}, user_id=h.user(i % 8))),
        Scenario("card floor", "floorcard", lambda h, i: h.world.slash("floorcard", user_id=h.user(i % 8))),
    ]


def has_command(bot: commands.Bot, name: str | None) -> bool:
    return name is None or bot.tree.get_command(name) is not None


async def measure(h: Harness, scenario: Scenario, i: int) -> None:
    before = len(h.errors.records)
    outcome = await h.run(scenario.make(h, i))
    if scenario.first is None:
        scenario.first = outcome.seconds
    else:
        scenario.samples.append(outcome.seconds)
    scenario.spent += outcome.seconds
    reply = outcome.describe()
    scenario.replies[reply] = scenario.replies.get(reply, 0) + 1
    if len(h.errors.records) > before:
        scenario.errors += h.errors.messages()[before:]


async def round_robin(h: Harness, scenarios: list[Scenario], calls: int, cap_seconds: float,
                      deadline: float) -> None:
    """`calls` rounds over the scenarios; a scenario past `cap_seconds` of work drops out once it
    has 30 samples, and everything stops at `deadline` (perf_counter), keeping what it has."""
    live = [s for s in scenarios if s.status == "ok"]
    for i in range(calls + 1):  # the first call of each is its cold cost, kept apart
        for scenario in live:
            if scenario.spent > cap_seconds and len(scenario.samples) >= 30:
                continue
            if time.perf_counter() > deadline and len(scenario.samples) >= 5:
                continue
            await measure(h, scenario, i)


# -- quiz phase -------------------------------------------------------------------------------

def answer_buttons(h: Harness, message: dict[str, Any]) -> list[str]:
    return [b["custom_id"] for b in h.world.buttons(message) if b["custom_id"].startswith("quiz:a:")]


async def quiz_phase(h: Harness, quizzes: int, floor: Scenario, cap: float, deadline: float) -> dict[str, Any]:
    """Start quizzes one channel at a time; 10 players click; then the reveal, timed.

    Stops starting new quizzes once `cap` seconds of real time have gone (slow starts)."""
    start = Scenario("/quiz start", "quiz", lambda h_, i: {})
    click = Scenario("quiz answer click", "quiz", lambda h_, i: {})
    reveal: list[float] = []
    errors_before = len(h.errors.records)
    if not has_command(h.bot, "quiz"):
        return {"status": "not measured: command not built yet"}
    loop = asyncio.get_running_loop()
    assert isinstance(loop, ClockLoop)
    seconds = 20
    began = time.perf_counter()
    for q in range(quizzes):
        if time.perf_counter() > deadline or (q and time.perf_counter() - began > cap):
            break
        channel_id = h.world.channel_ids[1 + q]
        starter = h.user(100 + q * QUIZ_PLAYERS)
        payload = h.world.slash("quiz", {"rounds": 1, "seconds": seconds, "mode": "buttons"}, user_id=starter,
                                channel_id=channel_id, subcommand="start")
        outcome = await h.run(payload)
        start.samples.append(outcome.seconds)
        message = await h.wait_message(channel_id, lambda m: bool(answer_buttons(h, m)))
        buttons = answer_buttons(h, message)
        for p in range(QUIZ_PLAYERS):
            await measure(h, floor, p)
            user = h.user(100 + q * QUIZ_PLAYERS + p)
            outcome = await h.run(h.world.click(message, buttons[p % len(buttons)], user_id=user))
            click.samples.append(outcome.seconds)
            reply = outcome.describe()
            click.replies[reply] = click.replies.get(reply, 0) + 1
        round_message_id = message["id"]
        await loop.wait_for_timers(1, seconds - 5, seconds + 1)
        began = time.perf_counter()
        loop.advance(seconds + 0.05)
        await h.wait_message(channel_id, lambda m, mid=round_message_id: m["id"] == mid
                             and m.get("edited_timestamp") is not None and not answer_buttons(h, m))
        reveal.append(time.perf_counter() - began)
        # rounds=1: the standings follow at once; let them go out before the next quiz.
        await h.wait_message(channel_id, lambda m, mid=round_message_id: m["id"] != mid)
        await settle()
    errors = h.errors.messages()[errors_before:]
    if not start.samples:
        return {"status": "not measured: time budget used up by the look-ups"}
    return {"status": "ok", "start": start.samples, "click": click.samples, "reveal": reveal,
            "click_replies": click.replies, "errors": errors[:5], "error_count": len(errors)}


# -- modes -----------------------------------------------------------------------------------

async def mode_startup(args: argparse.Namespace) -> dict[str, Any]:
    h = await start(args.bare, args.db, url=args.url)
    ready = time.monotonic() - args.spawned_at if args.spawned_at else None
    result = {"ready_seconds": ready, "rss_kb": rss_kb(), "peak_rss_kb": peak_rss_kb(),
              "errors": h.errors.messages(), "unknown_routes": sorted(h.world.unknown_routes),
              "synced": getattr(h.bot, "synced_on_start", None)}
    await h.close()
    return result


async def mode_interactions(args: argparse.Namespace) -> dict[str, Any]:
    quizzes = 0 if args.bare else args.quizzes
    h = await start(args.bare, args.db, channels=1 + quizzes, url=args.url)
    ready = time.monotonic() - args.spawned_at if args.spawned_at else None
    rss_ready = rss_kb()
    index_seconds = None if args.bare else await index_built(h)
    h.world.record_calls = True
    if args.bare:
        scenarios = [Scenario("floor", "floor", lambda h_, i: h_.world.slash("floor", user_id=h_.user(i % 8)))]
    else:
        scenarios = lookup_scenarios(Queries.sample(args.db))
    for s in scenarios:
        if not has_command(h.bot, s.command):
            s.status = "not measured: command not built yet"
    # Keep the call log short: long runs only need the replies of the call in progress.
    h.world.calls.clear()
    began = time.perf_counter()
    deadline = began + args.budget
    # Look-ups get most of the budget; the quiz phase keeps a share of it.
    await round_robin(h, scenarios, args.calls, args.cap, began + args.budget * 0.7)
    quiz = await quiz_phase(h, quizzes, scenarios[0], args.cap * 3, deadline) if quizzes else \
        {"status": "not measured"}
    elapsed = time.perf_counter() - began
    result = {"ready_seconds": ready, "rss_ready_kb": rss_ready, "peak_rss_kb": peak_rss_kb(),
              "index_seconds": index_seconds,
              "scenarios": [s.result() for s in scenarios], "quiz": quiz, "seconds": elapsed,
              "unknown_routes": sorted(h.world.unknown_routes), "startup_errors": []}
    await h.close()
    return result


async def mode_profile(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"status": "not measured: pyinstrument is not installed (pip install -e '.[test]')"}
    h = await start(False, args.db, url=args.url)
    await index_built(h)
    scenarios = {s.name: s for s in lookup_scenarios(Queries.sample(args.db))}
    scenario = scenarios[args.scenario]
    await measure(h, scenario, 0)  # warm caches: profile the steady state
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    for i in range(1, args.calls + 1):
        await measure(h, scenario, i)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    await h.close()
    return {"scenario": args.scenario, "text": text, "median": sorted(scenario.samples)[len(scenario.samples) // 2]}


async def mode_quizload(args: argparse.Namespace) -> dict[str, Any]:
    from .quizload import quiz_load

    return await quiz_load(args)


FLEET_SCENARIOS = ("/ost", "/ost no match", "/ost autocomplete", "/random", "/random mood")


async def mode_throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Look-ups kept in flight by `--concurrency` members, one after another each, for `--seconds`, on
    one bot process: completed interactions per second and their latency (queueing included). The
    fleet benchmark runs one such process, then two at once, on one PostgreSQL database."""
    h = await start(False, args.db, url=args.url)
    try:
        await index_built(h)
        scenarios = [s for s in lookup_scenarios(Queries.sample(args.db, seed=3 + args.seed))
                     if s.name in FLEET_SCENARIOS]
        latencies: list[float] = []
        errors_before = len(h.errors.records)
        counter = iter(range(10**9))
        deadline = time.perf_counter() + args.seconds

        async def member() -> None:
            while time.perf_counter() < deadline:
                i = next(counter)
                outcome = await h.run(scenarios[i % len(scenarios)].make(h, i), collect=False)
                latencies.append(outcome.seconds)

        meter = CpuMeter(args.url) if args.url else None  # the machine's and PostgreSQL's cores, this window
        if meter:
            meter.start()
        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(member() for _ in range(args.concurrency)))
        seconds = time.perf_counter() - began
        cores = meter.stop() if meter else None
        # CPU of this process (the bot and the in-process load) per second of the window: near 1.0, the
        # process is bound by its one core (the GIL), not by PostgreSQL.
        return {"count": len(latencies), "seconds": seconds, "per_second": len(latencies) / seconds,
                "cpu_share": (time.process_time() - cpu) / seconds, "cores": cores,
                "latency": summary(latencies), "errors": h.errors.messages()[errors_before:][:5],
                "concurrency": args.concurrency}
    finally:
        await h.close()


MODES = {"startup": mode_startup, "interactions": mode_interactions, "profile": mode_profile,
         "quizload": mode_quizload, "throughput": mode_throughput}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--url", help="run the bot on this PostgreSQL database (queries still from --db)")
    parser.add_argument("--spawned-at", type=float, default=None)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--cap", type=float, default=20.0, help="seconds of measured work per scenario")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds of measuring before stopping early")
    parser.add_argument("--quizzes", type=int, default=20)
    parser.add_argument("--players", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pace", type=float, default=5.0, help="quizload: seconds over which a round's clicks arrive")
    parser.add_argument("--scenario", default="/ost")
    parser.add_argument("--seconds", type=float, default=8.0, help="throughput: how long to keep the load up")
    parser.add_argument("--concurrency", type=int, default=4, help="throughput: interactions kept in flight")
    parser.add_argument("--seed", type=int, default=0, help="throughput: which sample of queries")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result = run(MODES[args.mode](args))
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
