"""`python -m benchmarks` (or `make bench`): measure, print the tables, write BENCHMARKS.md.

Every figure is a ratio to the floor (a trivial command on the same bot, same process,
same run), with medians and p99 over many calls. See BENCHMARKS.md for the method.
`--quick` runs tiny sizes in a few seconds (the smoke test in `make test` uses it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import catalogs, report

ROOT = Path(__file__).resolve().parent.parent
FULL_SIZES = [19, 1_000, 10_000, 50_000, 100_000]
QUICK_SIZES = [19, 300]


def child(mode: str, db: Path, workdir: Path, *extra: str, timeout: float = 300.0) -> dict[str, Any]:
    """Run one measured process; its JSON result, or {"status": "failed: ..."}."""
    out = workdir / f"result-{mode}-{time.monotonic_ns()}.json"
    command = [sys.executable, "-m", "benchmarks.child", mode, "--db", str(db), "--out", str(out),
               "--spawned-at", repr(time.monotonic()), *extra]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"failed: timed out after {timeout:.0f} s"}
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"status": "failed: " + " / ".join(tail)}
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    result.setdefault("status", "ok")
    return result


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
    parser.add_argument("--time-budget", type=float, help="seconds for the whole run (default 540; quick 90)")
    args = parser.parse_args(argv)

    quick = args.quick
    sizes = sorted(set(args.sizes or (QUICK_SIZES if quick else FULL_SIZES)))
    calls = args.calls or (5 if quick else 200)
    cap = 1.0 if quick else 6.0
    quizzes = 2 if quick else 20
    repeats = 1 if quick else 7
    load = {"quizzes": 3, "players": 3, "rounds": 1, "pace": 0.2} if quick else \
        {"quizzes": 200, "players": 10, "rounds": 3, "pace": 5.0}
    budget = args.import_budget or (60.0 if quick else 150.0)
    total = args.time_budget or (90.0 if quick else 540.0)
    reserve = 10.0 if quick else 75.0   # the quiz load and the profile, after the sizes

    began = time.perf_counter()
    temp = None if args.workdir else tempfile.TemporaryDirectory(prefix="ost-bench-")
    workdir = args.workdir or Path(temp.name)  # type: ignore[union-attr]
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": report.machine(), "sizes": sizes, "calls": calls, "quick": quick,
                               "load": load}
    try:
        print(f"benchmarks: sizes {sizes}, {calls} calls per scenario; work in {workdir}", flush=True)
        print("building catalogs through store.catalog.import_records ...", flush=True)
        growth = catalogs.build_growth_budgeted(workdir / "catalogs", sizes, budget=budget, log=print)
        results["imports"] = [{"start": i.start_size, "songs": i.songs, "seconds": i.seconds}
                              for i in growth.imports]
        results["import_stopped"] = growth.stopped
        built = sorted(growth.databases)

        print("start-up ...", flush=True)
        startup: dict[str, Any] = {}
        targets = list(dict.fromkeys([("bare", None), *[(f"ost@{s}", s) for s in (built[0], built[-1])]]))
        dbs: dict[str, tuple[Path, list[str]]] = {}
        for label, size in targets:
            db = fresh_copy(growth.databases[size] if size else growth.databases[built[0]], workdir,
                            f"startup-{label}.db")
            extra = ["--bare"] if size is None else []
            child("startup", db, workdir, *extra)  # first start: migrations, command sync; not counted
            dbs[label] = (db, extra)
            startup[label] = {"size": size, "runs": []}
        # Interleaved (bare, small, large, bare, ...): a busy spell of the machine hits every bot alike.
        for _ in range(repeats):
            for label, (db, extra) in dbs.items():
                startup[label]["runs"].append(child("startup", db, workdir, *extra))
        for label, entry in startup.items():
            ok = [r["ready_seconds"] for r in entry["runs"] if r.get("status") == "ok"]
            print(f"  {label:>12}: ready in {report.fmt_ms(report.median(ok))}", flush=True)
        results["startup"] = startup

        print("interactions ...", flush=True)
        per_size: dict[str, Any] = {}
        bare_db = fresh_copy(growth.databases[built[0]], workdir, "bare.db")
        per_size["bare"] = child("interactions", bare_db, workdir, "--bare", "--calls", str(calls),
                                 "--cap", str(cap))
        for left, size in zip(range(len(built), 0, -1), built, strict=True):
            # What is left of the time budget, shared by the sizes still to measure (small ones
            # finish early and leave their share to the large ones).
            share = max(20.0, (total - reserve - (time.perf_counter() - began)) / left)
            db = fresh_copy(growth.databases[size], workdir, f"interactions-{size}.db")
            per_size[str(size)] = child("interactions", db, workdir, "--calls", str(calls), "--cap", str(cap),
                                        "--quizzes", str(quizzes), "--budget", f"{share * 0.8:.0f}",
                                        timeout=share + 180.0)
            print("  " + report.size_line(size, per_size[str(size)]), flush=True)
            db.unlink(missing_ok=True)
        results["interactions"] = per_size

        print(f"{load['quizzes']} concurrent quizzes x {load['players']} players ...", flush=True)
        quiz_db = fresh_copy(growth.databases[built[0]], workdir, "quizload.db")
        results["quizload"] = child("quizload", quiz_db, workdir, "--quizzes", str(load["quizzes"]),
                                    "--players", str(load["players"]), "--rounds", str(load["rounds"]),
                                    "--pace", str(load["pace"]), timeout=300.0)

        worst = report.worst_scenario(results)
        if worst is not None and not quick:
            size, name = worst
            print(f"profiling {name} at {size} songs ...", flush=True)
            db = fresh_copy(growth.databases[size], workdir, "profile.db")
            results["profile"] = {"size": size, **child("profile", db, workdir, "--scenario", name,
                                                        "--calls", "40")}
    finally:
        if temp is not None:
            temp.cleanup()
    results["seconds"] = time.perf_counter() - began
    text = report.render(results)
    args.out.write_text(text, encoding="utf-8")
    print(report.console(results), flush=True)
    print(f"wrote {args.out} in {results['seconds']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
