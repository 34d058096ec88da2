"""Two real bot processes on one PostgreSQL, each owning one shard of two (each on SimCord, with a
server of its own shard): they start together and migrate once; one is SIGKILLed mid-quiz while
the other plays on unharmed; restarted, it resumes its own quizzes and plays their next
rounds, every reported round stored exactly once, and leaves the other's running quizzes alone.

See crash_driver.py for the child. Waiting here is only for the other processes (bounded).
"""

from __future__ import annotations

import signal
import time

from bot.store import available_migrations
from tests.reliability.crash_driver import Child, check_database, game_statuses, query


def rounds_of(child: Child) -> set[int]:
    return {game for game, _ in child.rounds}


def play_until(child: Child, rounds: int) -> None:
    while len(child.rounds) < rounds:
        child.expect("round")


def test_two_processes_share_one_database_and_a_crash_harms_only_its_own_quizzes(postgres_url, tmp_path):
    first = Child(postgres_url, "--shard-count", "2", "--shard", "0", seed=1, logs=tmp_path)
    second = Child(postgres_url, "--shard-count", "2", "--shard", "1", seed=2, logs=tmp_path)
    children = [first, second]
    try:
        for child in children:
            child.expect("ready")
        # Started together: every migration applied once, the catalog seeded once.
        rows = query(postgres_url, "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY 1")
        assert [tuple(r) for r in rows] == [(v, 1) for v in range(1, len(available_migrations("postgres")) + 1)]
        assert query(postgres_url, "SELECT count(*) FROM songs WHERE origin = 'seed'") == [(19,)]
        for child in children:
            child.go()
        for child in children:
            child.expect("served")
            play_until(child, 4)

        assert first.kill() == -9  # mid-quiz: its games are still running in the database
        reported = {**first.rounds, **second.rounds}
        state = check_database(postgres_url, reported)
        left_running = state["running"] & rounds_of(first)
        assert left_running, "the killed process had no quiz running"

        before = len(second.rounds)  # the other process plays on
        play_until(second, before + 3)
        others = game_statuses(postgres_url, state["running"] - rounds_of(first))
        assert others and all(status == "running" for status, _ in others.values())

        again = Child(postgres_url, "--shard-count", "2", "--shard", "0", seed=3, logs=tmp_path)
        children.append(again)
        again.expect("ready")  # its start ends no game, its own or the other's
        statuses = game_statuses(postgres_url, left_running | rounds_of(second))
        assert all(statuses[g] == ("running", None) for g in left_running), statuses
        still = {g for g in rounds_of(second) if statuses[g][0] == "running"}
        assert still, "the other process's quizzes ended"
        check_database(postgres_url, {**first.rounds, **second.rounds})  # every reported round, exactly
        again.go()
        again.expect("served")
        resumed = set(map(int, again.expect("resumed")[1].split(",")))
        assert resumed <= left_running  # its own games, not the other process's
        # Every game the killed process left is taken up by the new one: played on (a round it reports) or,
        # killed in a last round whose time ran out meanwhile, closed at once with its standings. A game's
        # server may become available to the new process after its first report, so this waits for it
        # (another process: polled, bounded).
        deadline = time.monotonic() + 60
        waiting = set(left_running)
        while waiting:
            waiting = {g for g, (status, _) in game_statuses(postgres_url, waiting - rounds_of(again)).items()
                       if status == "running"}
            assert time.monotonic() < deadline, f"left running and never taken up: {waiting}"
            if waiting:
                again.expect("round")
        while not rounds_of(again) & left_running:  # a resumed game's next round, reported by the new process
            again.expect("round")
        for key in again.rounds:
            assert key not in first.rounds and key not in second.rounds, f"round {key} reported twice"
    finally:
        for child in children:
            if child.proc.poll() is None:
                child.send_signal(signal.SIGTERM)
    for child in children[1:]:
        assert child.proc.returncode == 0, child.log_tail()
    # The clean stops leave their games running, to be resumed: every reported round is still there once.
    check_database(postgres_url, {**first.rounds, **second.rounds, **children[2].rounds})
