"""/catalog fetch in the playground (`ostbot play`): offline it says MusicBrainz cannot be reached;
with OST_MUSICBRAINZ_URL naming a server (here the stand-in process) it fetches. Never a traceback."""

from __future__ import annotations

from ..fetch_helpers import standin_process
from .test_console import _ostbot


def test_offline_it_says_musicbrainz_cannot_be_reached(tmp_path):
    done = _ostbot(["play", "--playground-db", str(tmp_path / "play.db")], "/catalog fetch query: 도깨비\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "The playground runs offline, so MusicBrainz can't be reached from here" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_with_a_musicbrainz_url_it_previews_and_adds(tmp_path):
    script = "/catalog fetch query: d0cca004-0000-4000-8000-000000000004\nclick Add\n/ost query: Round and Round\n"
    with standin_process() as env:
        done = _ostbot(["play", "--playground-db", str(tmp_path / "play.db")], script, tmp_path,
                       OST_MUSICBRAINZ_RATE="1000", **env)
    assert done.returncode == 0, done.stderr
    assert "도깨비 OST Part 4" in done.stdout and "Added 1 song to this server's catalog" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
