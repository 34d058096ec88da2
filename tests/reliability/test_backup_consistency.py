"""`ostbot db backup` (the real command line, its own process) while a bot process writes quiz games.

Every backup must open, pass `PRAGMA integrity_check`, hold every round reported before the backup
began (with exactly its answers) and no round without all its answers: a consistent snapshot. Then the
newest backup is restored by copying it over the database (with the old write-ahead log removed, which
a restore must do) and the bot starts on it: games the snapshot caught running are resumed,
and it serves commands.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

from tests.reliability.crash_driver import ROOT, Child, check_database, game_statuses

BACKUPS = 3


def ostbot(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_backups_taken_while_games_are_written_are_consistent_and_restore(tmp_path):
    database = tmp_path / "ost.db"
    child = Child(database, "--channels", "3", "--members", "5", seed=7)
    child.expect("ready")
    child.go()
    child.expect("served")
    snapshots = []
    for n in range(BACKUPS):
        for _ in range(3):  # let a few more rounds be written first
            child.expect("round")
        before = dict(child.rounds)
        target = tmp_path / f"backup-{n}.db"
        result = ostbot("--database", str(database), "db", "backup", str(target), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"backed up {database} to {target}" in result.stdout
        assert child.proc.poll() is None  # the bot kept running (and writing) meanwhile
        state = check_database(target, before)  # integrity, no half round, every earlier round exact
        assert state["rounds"] >= len(before) > 0
        snapshots.append((target, before, state))
    while len(child.rounds) <= snapshots[-1][2]["rounds"]:  # the bot goes on writing after the last backup
        child.expect("round")
    assert child.send_signal(signal.SIGTERM) == 0, child.log_tail()
    final = check_database(database, child.rounds)
    assert final["rounds"] >= len(child.rounds) > snapshots[-1][2]["rounds"]

    # Restore the newest backup: stop the bot (done), drop the old WAL, copy the backup in, start.
    target, before, state = snapshots[-1]
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(target, database)
    restored = Child(database, "--mode", "serve", seed=8)
    restored.expect("ready")
    assert check_database(database, before)["running"] == state["running"]  # nothing ended at start-up
    assert all(s == "running" for s, _ in game_statuses(database, state["running"]).values())
    restored.go()
    assert "Goblin" in " ".join(restored.expect("served"))
    words = restored.expect("resumed")
    assert state["running"] <= (set() if words[1] == "-" else set(map(int, words[1].split(","))))
    restored.expect("leaderboard")
    assert restored.finish() == 0, restored.log_tail()
    after = check_database(database, before)
    assert after["rounds"] == state["rounds"] and after["answers"] == state["answers"]
    check = ostbot("--database", str(database), "db", "check", cwd=tmp_path)
    assert check.returncode == 0 and "integrity: ok" in check.stdout, check.stdout + check.stderr
