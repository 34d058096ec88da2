"""The stand-in itself: its fixtures keep ws/2's shapes, and it runs as a separate process."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.musicbrainz.client import MusicBrainzClient, RateLimiter

from .standin import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
# The keys of a release, a medium, a track, an artist-credit element and a release group as ws/2 serves them
# (musicbrainz-server's t/lib/t/MusicBrainz/Server/Controller/WS/2/JSON/LookupRelease.pm).
RELEASE_KEYS = {"id", "title", "status", "status-id", "quality", "disambiguation", "packaging", "packaging-id",
                "text-representation", "cover-art-archive", "date", "country", "release-events", "barcode", "asin",
                "artist-credit", "media"}
MEDIUM_KEYS = {"format", "format-id", "id", "position", "title", "track-count", "track-offset", "tracks"}
TRACK_KEYS = {"artist-credit", "id", "length", "number", "position", "recording", "title"}
CREDIT_KEYS = {"artist", "joinphrase", "name"}
GROUP_KEYS = {"id", "title", "disambiguation", "first-release-date", "primary-type", "primary-type-id",
              "secondary-types", "secondary-type-ids"}
SEARCH_KEYS = {"created", "count", "offset", "releases"}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_release_fixtures_have_ws2s_fields_and_nesting():
    releases = sorted(FIXTURES.glob("release-*.json"))
    assert len(releases) == 6
    for path in releases:
        release = load(path.name)
        assert release.keys() >= RELEASE_KEYS, path.name
        assert release["release-group"].keys() >= GROUP_KEYS
        assert "Soundtrack" in release["release-group"]["secondary-types"]
        for medium in release["media"]:
            assert medium.keys() >= MEDIUM_KEYS
            for track in medium["tracks"]:
                assert track.keys() >= TRACK_KEYS and isinstance(track["position"], int)
                assert all(c.keys() >= CREDIT_KEYS for c in track["artist-credit"])


def test_search_and_cover_fixtures_have_their_services_fields():
    for path in FIXTURES.glob("search-*.json"):
        answer = load(path.name)
        assert answer.keys() >= SEARCH_KEYS and answer["count"] == len(answer["releases"])
        assert all(isinstance(r["score"], int) and 0 <= r["score"] <= 100 for r in answer["releases"])
    for path in FIXTURES.glob("cover-*.json"):
        images = load(path.name)["images"]
        assert any(i["front"] and "250" in i["thumbnails"] for i in images)


async def test_the_standin_runs_as_a_process_and_prints_its_roots():
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.musicbrainz.standin", "--port", "0", cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    try:
        lines = [await asyncio.wait_for(process.stdout.readline(), timeout=30) for _ in range(2)]
        settings = dict(line.decode().strip().split("=", 1) for line in lines)
        client = MusicBrainzClient(musicbrainz_url=settings["OST_MUSICBRAINZ_URL"],
                                   coverart_url=settings["OST_COVERART_URL"], contact="test",
                                   limiter=RateLimiter(1000))
        found = await client.search_releases("도깨비")
        await client.close()
        assert found[0].title == "도깨비 OST Part 1"
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
