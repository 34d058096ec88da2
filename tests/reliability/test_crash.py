"""SIGKILL at random moments: a real bot process (under SimCord) playing quizzes on a file database, or
on a PostgreSQL database of the test server (the `engine` fixture; this module runs on both engines).

After every kill the database must pass `PRAGMA integrity_check` (SQLite), hold every round the child reported as
committed with exactly its answers, and hold no half round; the next start must leave the games left
running 'running' (checked right after its "ready" line: nothing is marked interrupted), answer /ost goblin,
and resume every one of them, whose later rounds are then reported by the new process: no round
is ever reported, nor stored, twice. See tests/reliability/crash_driver.py for the child.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import pytest

from tests.reliability.crash_driver import Child, check_database, game_statuses, query
from tests.reliability.test_shutdown import held_rounds

pytestmark = pytest.mark.both_engines

# The first kill and every 6th one land at a random moment of start-up (imports, migrations and seeding of
# a new database, recovery), the others while the bot plays.
EARLY_EVERY = 6
FIRST_START = 2.0  # seconds: a guess at the first start-up, before any has been measured


@dataclass
class LoopReport:
    kills: int = 0
    early_kills: int = 0
    kills_mid_game: int = 0
    restarts_checked: int = 0
    rounds_reported: int = 0
    rounds_stored: int = 0
    answers_stored: int = 0
    resumed: int = 0
    startups: list[float] = field(default_factory=list)
    seconds: float = 0.0


def crash_loop(tmp_path, database, kills: int, seed: int, *,
               delays: tuple[float, float] = (0.05, 2.5)) -> LoopReport:
    """`database`: a SQLite file (not there yet) or a postgresql:// URL (an empty database)."""
    rng = random.Random(seed)
    report = LoopReport()
    reported: dict[tuple[int, int], tuple[int, ...]] = {}
    left_running: set[int] = set()
    began = time.monotonic()
    for n in range(kills):
        child = Child(database, seed=seed * 1000 + n, logs=tmp_path)
        spawned = time.monotonic()
        early = n % EARLY_EVERY == 0
        if early:
            time.sleep(rng.uniform(0.0, max(report.startups, default=FIRST_START)))
            report.early_kills += 1
        else:
            child.expect("ready")
            report.startups.append(time.monotonic() - spawned)
            # The games the last crash left running are still running: the start-up ends none of them.
            state = check_database(database, reported)
            assert left_running <= state["running"], "a game the crash left running was ended at the start-up"
            statuses = game_statuses(database, left_running)
            assert all(status == "running" and not ended for status, ended in statuses.values()), statuses
            child.go()
            served = child.expect("served")
            assert "Goblin" in " ".join(served), served
            resumed = resumed_games(child)
            assert left_running <= resumed, f"not resumed: {left_running - resumed}"
            report.resumed += len(left_running)
            left_running = set()
            report.restarts_checked += 1
            time.sleep(rng.uniform(*delays))
        status = child.kill()
        assert status == -9, child.log_tail()
        report.kills += 1
        for key, users in child.rounds.items():
            assert key not in reported, f"round {key} reported by two processes"
            reported[key] = users
        state = check_database(database, reported)  # every reported round, exactly, no half round
        left_running |= state["running"]
        report.kills_mid_game += bool(state["running"])
        report.rounds_stored, report.answers_stored = state["rounds"], state["answers"]
    # One last start: the survivors' games are resumed and the bot serves.
    child = Child(database, "--mode", "serve", seed=seed * 1000 + kills, logs=tmp_path)
    child.expect("ready")
    assert left_running <= check_database(database, reported)["running"]
    assert all(s == "running" for s, _ in game_statuses(database, left_running).values())
    child.go()
    assert "Goblin" in " ".join(child.expect("served"))
    assert left_running <= resumed_games(child)
    report.resumed += len(left_running)
    child.expect("leaderboard")
    assert child.finish() == 0, child.log_tail()
    report.restarts_checked += 1
    report.rounds_reported = len(reported)
    report.seconds = time.monotonic() - began
    print(f"\ncrash loop: {report}")
    return report


def resumed_games(child: Child) -> set[int]:
    words = child.expect("resumed")
    return set() if words[1] == "-" else {int(g) for g in words[1].split(",")}


def test_three_kills_lose_nothing(tmp_path, database):
    report = crash_loop(tmp_path, database, kills=3, seed=3, delays=(1.5, 3.0))
    assert report.kills == 3 and report.early_kills == 1 and report.restarts_checked == 3
    assert report.rounds_reported > 0  # the kills did land while games were being written


def test_a_kill_the_moment_the_receipts_are_out_keeps_every_locked_in_answer(tmp_path, database):
    """An answer is kept before its player is told "locked in". A SIGKILL right after the
    receipts (no simulated time passes: no timer could have written them) leaves exactly the answers of
    the members who were told, and the next start plays those rounds on with them."""
    child = Child(database, "--mode", "hold", "--channels", "2", seed=41, logs=tmp_path)
    child.expect("ready")
    child.go()
    child.expect("served")
    held = held_rounds(child, 2)
    assert child.kill() == -9, child.log_tail()
    check_database(database, child.rounds)
    assert any(locked for _, _, locked in held)
    for game, number, locked in held:
        kept = query(database, "SELECT user_id FROM quiz_pending_answers WHERE game_id = ? AND round = ?",
                     (game, number))
        assert {user for (user,) in kept} == locked, (game, number)

    again = Child(database, "--mode", "serve", seed=42, logs=tmp_path)
    again.expect("ready")
    again.go()
    again.expect("served")
    assert resumed_games(again) == {game for game, _, _ in held}
    assert again.finish() == 0, again.log_tail()


# On PostgreSQL fewer kills (each start-up there also connects and checks the seeded catalog over a
# socket): .ci/run runs both, and must stay well inside its time. Per engine: kills, then at least how
# many rounds reported, kills that left a game running, and games resumed by the next start.
SLOW = {"sqlite": (32, 50, 15, 20), "postgres": (16, 20, 7, 10)}


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_many_kills_lose_nothing(tmp_path, database, engine):
    kills, rounds, mid_game, resumed = SLOW[engine]
    report = crash_loop(tmp_path, database, kills=kills, seed=6, delays=(0.05, 3.5))
    early = -(-kills // EARLY_EVERY)  # kills 0, 6, 12, ... land during start-up
    assert report.kills == kills and report.early_kills == early
    assert report.restarts_checked == kills - early + 1
    assert report.rounds_reported >= rounds
    assert report.kills_mid_game >= mid_game and report.resumed >= resumed  # every one of them resumed
