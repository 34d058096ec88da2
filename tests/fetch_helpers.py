"""Releases built in memory, as the MusicBrainz client converts them: for the store, the domain and
the benchmark, without a network or a stand-in server."""

from __future__ import annotations

import contextlib
import hashlib
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bot.musicbrainz.models import Release, Singer, Track

CHANYEOL = Singer("찬열", ("Chanyeol",), "c0a4e8c2-0000-4000-8000-000000000001")
PUNCH = Singer("펀치", ("Punch",), "c0a4e8c2-0000-4000-8000-000000000002")
NEW_SINGER = Singer("한서윤", ("Han Seoyun",), "c0a4e8c2-0000-4000-8000-000000000003")
PART1 = "d1a6e2a1-0000-4000-8000-000000000001"
PART2 = "d1a6e2a1-0000-4000-8000-000000000002"
COVER1 = "https://coverartarchive.org/release/" + PART1 + "/front-250"
COVER2 = "https://coverartarchive.org/release/" + PART2 + "/front-250"


def track(title: str, *singers: Singer, latin: str = "", n: int = 1, instrumental: bool = False,
          recording: str | None = None) -> Track:
    made_up = "e0000000-0000-4000-8000-" + hashlib.md5(f"{title}|{n}".encode()).hexdigest()[:12]
    return Track(title=title, latin_title=latin, singers=singers, recording_mbid=recording or made_up,
                 disc=1, position=n, instrumental=instrumental)


def release(mbid: str, *tracks: Track, title: str = "도깨비 OST Part 1", drama: str = "도깨비",
            date: str = "2016-12-03", cover: str | None = None, track_count: int | None = None) -> Release:
    return Release(mbid=mbid, title=title, date=date, release_group_mbid="f" + mbid[1:],
                   release_group_title=title, drama=drama, tracks=tuple(tracks), cover_url=cover,
                   track_count=len(tracks) if track_count is None else track_count)


def goblin_part1() -> Release:
    """The shipped "Stay with Me" (Chanyeol & Punch), its instrumental, and a song the catalog lacks."""
    return release(PART1,
                   track("Stay With Me", CHANYEOL, PUNCH, n=1, recording="a0000000-0000-4000-8000-000000000001"),
                   track("Stay With Me (Inst.)", n=2, instrumental=True,
                         recording="a0000000-0000-4000-8000-000000000002"),
                   track("겨울 편지", NEW_SINGER, latin="Winter Letter", n=3,
                         recording="a0000000-0000-4000-8000-000000000003"),
                   cover=COVER1)


def big_release(count: int, mbid: str = "d1a6e2a1-0000-4000-8000-00000000b16b") -> Release:
    """`count` vocal tracks by one new singer, each its own recording."""
    return release(mbid, *(track(f"노래 {n}", NEW_SINGER, latin=f"Song Number {n}", n=n,
                                 recording=f"b0000000-0000-4000-8000-{n:012d}") for n in range(1, count + 1)),
                   title="긴 앨범", drama="긴 드라마", cover=None)


@contextlib.contextmanager
def standin_process(*faults: str) -> Iterator[dict[str, str]]:
    """`python -m tests.musicbrainz.standin` as a process of its own (`faults`: its `--fail PATH=MODE`);
    yields the environment naming it (OST_MUSICBRAINZ_URL, OST_COVERART_URL). Its start is polled, at
    most 30 seconds."""
    root = Path(__file__).resolve().parent.parent
    fail = [arg for fault in faults for arg in ("--fail", fault)]
    process = subprocess.Popen([sys.executable, "-m", "tests.musicbrainz.standin", "--port", "0", *fail], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    assert process.stdout is not None
    out = b""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while out.count(b"\n") < 2 and time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
        chunk = os.read(process.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
    env = dict(line.partition("=")[::2] for line in out.decode().split())
    try:
        assert set(env) == {"OST_MUSICBRAINZ_URL", "OST_COVERART_URL"}, out
        yield env
    finally:
        process.terminate()
        process.wait(timeout=10)
