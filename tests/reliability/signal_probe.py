"""A longer run of test_shutdown's random-signal test, for hunting shutdown races by hand (not collected).

    .venv/bin/python -m tests.reliability.signal_probe SEED COUNT

Starts the crash driver COUNT times on one database, sends SIGTERM or SIGINT (alternately) at a random
moment of play, and checks what the slow test checks: exit status 0 within 60 s, nothing left 'running',
every reported round stored with its answers, no traceback. Prints each failing run's log tail.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.crash_driver import Child, check_database


def probe(seed: int, count: int) -> int:
    rng = random.Random(seed)
    database = Path(tempfile.mkdtemp(prefix="signal-probe-")) / "ost.db"
    reported: dict[tuple[int, int], tuple[int, ...]] = {}
    bad = 0
    for n in range(count):
        child = Child(database, seed=seed * 1000 + n)
        child.expect("ready")
        child.go()
        child.expect("served")
        time.sleep(rng.uniform(0.05, 3.0))
        try:
            status = child.send_signal(signal.SIGTERM if n % 2 == 0 else signal.SIGINT)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            status = "hung"
        reported.update(child.rounds)
        running = check_database(database, reported)["running"]
        log = child.stderr_path.read_text(errors="replace")
        if status != 0 or running or "Traceback" in log:
            bad += 1
            print(f"run {n}: status {status}, left running {sorted(running)}\n{log[-3000:]}", flush=True)
    print(f"seed {seed}: {count} signals, {bad} bad, {len(reported)} rounds reported ({database})")
    return bad


if __name__ == "__main__":
    sys.exit(1 if probe(int(sys.argv[1]), int(sys.argv[2])) else 0)
