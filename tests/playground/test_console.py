"""The playground's command line (`ostbot play`, `ostbot start` without a token; bot/playground/console.py):
the real bot driven through a pipe, and what lasts across sessions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ostbot(args: list[str], script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    environment.update(env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "bot", *args], input=script, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=90, check=False)


def test_a_piped_script_drives_the_real_bot(tmp_path):
    database = tmp_path / "play.db"
    script = "\n".join([
        "/ost query: goblin",
        "/random drama: Descendants of the Sun",
        "click Another",
        "/quiz start rounds: 1 seconds: 15 mode: buttons",
        "click 1",
        "as bob",
        "click 2",
        "wait 16",
        "as you",
        "/config show",
        "quit",
        "/ost never reached",
    ]) + "\n"
    done = _ostbot(["play", "--playground-db", str(database)], script, tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "you> /ost query: goblin" in text
    assert "Goblin (도깨비)" in text and "Stay with Me" in text
    assert "Descendants of the Sun" in text
    assert text.count("Another]") >= 2
    assert "Round 1 of 1" in text
    assert "bob joined the server." in text and "bob> click 2" in text
    assert "· edited" in text  # the round message is edited when the answer is revealed
    assert "you> /config show" in text
    assert "never reached" not in text.split("you> quit")[1]
    assert database.is_file()


def test_start_without_a_token_says_so_in_one_line_then_plays(tmp_path):
    done = _ostbot(["start"], "/ost goblin\n", tmp_path)
    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first.startswith("No DISCORD_TOKEN is set") and "make run" in first
    assert "OST Ballad Bot playground" in rest and "Goblin (도깨비)" in rest
    # Its data go to their own file, next to the normal default (data/ost.db).
    assert (tmp_path / "data" / "playground.db").is_file()
    assert not (tmp_path / "data" / "ost.db").exists()


def test_run_without_a_token_still_exits_2(tmp_path):
    done = _ostbot(["run"], "", tmp_path)
    assert done.returncode == 2
    assert "No Discord bot token is configured" in done.stderr


# -- data that last, seeded randomness -----------------------------------------------------------------

def _play(database: Path, script: str, cwd: Path, *extra: str) -> str:
    done = _ostbot(["play", "--playground-db", str(database), *extra], script, cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_settings_scores_songs_and_members_last_across_sessions(tmp_path):
    database = tmp_path / "play.db"
    first = _play(database, "\n".join([
        "/config quiz rounds: 7",
        "/catalog add title: Snowfall artist: Ailee drama: Goblin",
        "as carol",
        "/quiz start rounds: 1 seconds: 15",
        "click 1",
        "wait 16",
        "/quiz stats",
        "quit",
    ]) + "\n", tmp_path)
    stats = first.split("carol> /quiz stats")[1]
    assert "carol has not played" not in stats and re.search(r"Games:\s*\|\s+1\n", stats)
    for _ in range(2):  # any number of sessions
        later = _play(database, "\n".join(["/config show", "/ost Snowfall", "as carol", "/quiz stats",
                                           "as dave", "/quiz stats", "quit"]) + "\n", tmp_path)
        assert "Rounds: 7" in later and "🎵 Snowfall" in later
        carol = later.split("carol> /quiz stats")[1].split("carol> as dave")[0]
        assert "carol has not played" not in carol and re.search(r"Games:\s*\|\s+1\n", carol)  # the same carol
        assert "dave has not played a quiz on this server yet." in later.split("dave> /quiz stats")[1]


def test_piped_twice_with_the_same_seed_prints_the_same(tmp_path):
    script = "\n".join(["/random", "click Another", "/random", "/quiz start rounds: 2 seconds: 15",
                        "click 1", "wait 16", "click 2", "wait 16", "quit"]) + "\n"
    runs = [_play(tmp_path / f"run{n}.db", script, tmp_path, "--seed", "5") for n in range(2)]
    strip = [run.replace(str(tmp_path / "run0.db"), "DB").replace(str(tmp_path / "run1.db"), "DB") for run in runs]
    assert strip[0] == strip[1]
    other = _play(tmp_path / "run2.db", script, tmp_path, "--seed", "6").replace(str(tmp_path / "run2.db"), "DB")
    assert other != strip[0]  # the seed is what made them equal
