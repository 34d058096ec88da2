"""`ostbot db fetch`: the real command line process against the MusicBrainz stand-in, run as a
process of its own (`python -m tests.musicbrainz.standin`), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store import Store

from .fetch_helpers import standin_process

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def standin():
    """The stand-in process; yields its environment (the two URLs). Stopped after the module."""
    with standin_process() as env:
        yield env


def fetch(database, args, env_extra, stdin=""):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    env.update(env_extra, OST_MUSICBRAINZ_RATE="1000")
    return subprocess.run([sys.executable, "-m", "bot", "--database", str(database), "db", "fetch", *args],
                          cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "ost.db"
    return request.getfixturevalue("postgres_url")


async def own_titles(database) -> list[str]:
    store = await Store.open(database)
    try:
        return sorted(r.title for r in await store.catalog.export_records(None) if r.key.startswith("round"))
    finally:
        await store.close()


async def test_every_part_into_the_shared_catalog_with_yes(database, standin):
    result = fetch(database, ["도깨비", "--all-parts", "--yes"], standin)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "MusicBrainz found for '도깨비'" in out and "도깨비 OST Part 1" in out
    assert "this fetch would:" in out and "Add 98 songs to the shared catalog:" in out and "Round and Round" in out
    assert "Link 2 songs already there to the release:" in out and "Stay with Me (Goblin)" in out
    assert "A fetch adds at most 100 songs" in out                    # the box set
    assert "Done:" in out and "Traceback" not in result.stderr
    assert await own_titles(database) == ["Round and Round"]


async def test_it_asks_and_no_adds_nothing(database, standin):
    result = fetch(database, ["https://musicbrainz.org/release/d0cca004-0000-4000-8000-000000000004"], standin,
                   stdin="n\n")
    assert result.returncode == 1 and "Add these songs? [y/N]" in result.stdout
    assert "Nothing was added." in result.stdout
    assert await own_titles(database) == []
    yes = fetch(database, ["d0cca004-0000-4000-8000-000000000004"], standin, stdin="y\n")
    assert yes.returncode == 0 and "Done: 1 added" in yes.stdout
    assert await own_titles(database) == ["Round and Round"]


async def test_a_running_bot_sees_the_songs(tmp_path, standin):
    database = tmp_path / "ost.db"
    running = await Store.open(database)
    try:
        from bot.catalog.seedfile import load_catalog

        await running.catalog.seed(load_catalog())
        generation = running.catalog.generation
        result = fetch(database, ["d0cca004-0000-4000-8000-000000000004", "--yes"], standin)
        assert result.returncode == 0, result.stderr
        await running.refresh(force=True)                 # what each interaction does, at most once a second
        assert running.catalog.generation > generation    # its caches dropped
        song = await running.catalog.song_by_key("round-and-round")
        assert song is not None and song.recording_mbid
    finally:
        await running.close()


@pytest.mark.parametrize(("query", "env", "message"), [
    ("https://vibe.naver.com/album/1", {}, "I can only fetch from MusicBrainz, not from vibe.naver.com"),
    ("nothing like it", {}, "MusicBrainz has no soundtrack matching"),
    ("a1000001-0000-4000-8000-000000000001", {}, "MusicBrainz has no release with that id"),
    ("도깨비", {"OST_MUSICBRAINZ_URL": "http://127.0.0.1:9"}, "MusicBrainz can't be reached right now"),
])
def test_bad_input_and_faults_are_one_clear_line(tmp_path, standin, query, env, message):
    result = fetch(tmp_path / "ost.db", [query, "--yes"], {**standin, **env})
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_musicbrainz_that_never_answers_is_one_clear_line_after_the_timeout(tmp_path):
    with standin_process("/ws/2=hang") as env:  # a one-second timeout: the default is ten
        result = fetch(tmp_path / "ost.db", ["도깨비", "--yes"], {**env, "OST_MUSICBRAINZ_TIMEOUT": "1"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "MusicBrainz can't be reached right now. Nothing was added" in result.stderr
