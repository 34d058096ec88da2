"""The MusicBrainz client against the local stand-in: what it sends (checked at the stand-in), how fast
(the rate limiter on a clock the test drives), and how each fault reaches the caller."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable

import pytest

from bot import __version__
from bot.config import Settings
from bot.musicbrainz.client import (
    BadResponse,
    MusicBrainzClient,
    NotFound,
    RateLimiter,
    Unavailable,
    shared_limiter,
)

from .standin import BOX_TRACKS, StandIn

PART1, PART1_GROUP = "d0cca001-0000-4000-8000-000000000001", "d0cca0f1-0000-4000-8000-000000000001"
PART4 = "d0cca004-0000-4000-8000-000000000004"
PART9, PART9_LATIN = "d0cca009-0000-4000-8000-000000000009", "d0cca009-0000-4000-8000-00000000a7a9"
BOX = "d0cca0b0-0000-4000-8000-000000000b0b"
AILEE = "a1000001-0000-4000-8000-000000000005"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
CONTACT = "https://example.org/ost-ops"


class VirtualClock:
    """A clock the test moves: sleepers wait until `wake_next` jumps the time to the earliest of them."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self.changed = asyncio.Condition()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        async with self.changed:
            self.changed.notify_all()
        await future

    def wake_next(self) -> float:
        wake, future = min(self.sleepers, key=lambda s: s[0])
        self.sleepers.remove((wake, future))
        self.now = max(self.now, wake)
        future.set_result(None)
        return wake


async def when(changed: asyncio.Condition, condition: Callable[[], bool]) -> None:
    """Wait (bounded: 5 s) until the condition holds, woken by each change."""
    async with asyncio.timeout(5), changed:
        await changed.wait_for(condition)


async def after(standin: StandIn, clock: VirtualClock, *, requests: int, sleepers: int) -> None:
    """Once the stand-in has had `requests` requests and `sleepers` callers wait on the clock."""
    await when(standin.changed, lambda: len(standin.requests) == requests)
    await when(clock.changed, lambda: len(clock.sleepers) == sleepers)


def client_for(standin: StandIn, *, limiter: RateLimiter | None = None, **kwargs) -> MusicBrainzClient:
    return MusicBrainzClient(musicbrainz_url=standin.url, coverart_url=standin.coverart_url, contact=CONTACT,
                             limiter=limiter or RateLimiter(1000), **kwargs)


@pytest.fixture
async def client(musicbrainz):
    c = client_for(musicbrainz)
    yield c
    await c.close()


# --- What is sent ---------------------------------------------------------------------------------------

async def test_every_request_names_the_bot_and_asks_for_json(musicbrainz, client):
    release = await client.release(PART9)
    assert [r.path for r in musicbrainz.requests] == [
        f"/ws/2/release/{PART9}", f"/ws/2/release/{PART9_LATIN}",
        f"/coverart/release/{PART9}", f"/coverart/download/mbid-{PART9}/index.json",
    ]
    assert {r.user_agent for r in musicbrainz.requests} == {f"ost-ballad-bot/{__version__} ( {CONTACT} )"}
    first, pseudo = musicbrainz.requests[:2]
    assert first.query == {"inc": "recordings+artist-credits+aliases+release-groups+release-rels", "fmt": "json"}
    assert pseudo.query == {"inc": "recordings", "fmt": "json"}
    assert release.tracks[0].latin_title == "I Will Go to You Like the First Snow"
    assert release.cover_url == f"http://coverartarchive.org/release/{PART9}/15738295009-250.jpg"


async def test_a_search_asks_for_soundtracks_and_answers_best_score_first(musicbrainz, client):
    found = await client.search_releases("도깨비 OST", limit=3)
    (request,) = musicbrainz.requests
    assert request.query == {"query": "(도깨비 OST) AND secondarytype:soundtrack", "limit": "3", "fmt": "json"}
    assert [s.title for s in found] == ["도깨비 OST Part 1", "도깨비 OST Part 9", "도깨비 OST Part 4"]
    assert [s.score for s in found] == [100, 100, 98]
    assert await client.search_releases("no such drama") == []


async def test_search_words_are_escaped_for_lucene(musicbrainz, client):
    await client.search_releases('Goblin: "Part" (4)')
    assert musicbrainz.requests[0].query["query"] == r'(Goblin\: \"Part\" \(4\)) AND secondarytype:soundtrack'
    await client.search_releases("Love AND War OR NOT")
    assert musicbrainz.requests[1].query["query"] == "(Love and War or not) AND secondarytype:soundtrack"


async def test_a_release_group_gives_its_releases_and_a_drama_every_part(musicbrainz, client):
    releases = await client.release_group(PART1_GROUP)
    assert musicbrainz.requests[0].query["release-group"] == PART1_GROUP
    assert [r.date for r in releases] == ["2016-12-03", "2017-02-10"]
    parts = await client.drama_releases("도깨비")
    assert [p.release_group_title for p in parts] == [
        "도깨비 OST Part 1", "도깨비 OST Part 4", "도깨비 OST Part 9", "도깨비 OST Complete Box"]
    assert await client.drama_releases("도깨비 2") == []
    assert [p.title for p in await client.drama_releases("Goblin")] == ["도깨비 OST Part 9"]
    assert 'releasegroup:"Goblin"' in musicbrainz.requests[-1].query["query"]


async def test_a_pseudo_release_id_fetches_its_original_with_the_latin_titles(musicbrainz, client):
    release = await client.release(PART9_LATIN)
    assert [r.path for r in musicbrainz.requests][:2] == [f"/ws/2/release/{PART9_LATIN}", f"/ws/2/release/{PART9}"]
    assert release.mbid == PART9 and release.title == "도깨비 OST Part 9"
    assert release.tracks[0].latin_title == "I Will Go to You Like the First Snow"
    assert release.cover_url is not None and PART9 in release.cover_url


async def test_a_release_with_hundreds_of_tracks_comes_whole(client):
    release = await client.release(BOX, with_cover=False)
    assert len(release.tracks) == release.track_count == BOX_TRACKS


def test_clients_made_from_the_settings_share_the_process_limiter():
    settings = Settings(musicbrainz_contact=CONTACT)
    a, b = MusicBrainzClient.from_settings(settings), MusicBrainzClient.from_settings(settings)
    assert a.limiter is b.limiter is shared_limiter(1.0) and a.limiter.interval == 1.0
    assert a.user_agent == f"ost-ballad-bot/{__version__} ( {CONTACT} )"
    half = MusicBrainzClient.from_settings(Settings(musicbrainz_rate=0.5))
    assert half.limiter.interval == 2.0


# --- The rate limit, measured at the stand-in on a driven clock ------------------------------------------

async def test_five_concurrent_fetches_queue_one_second_apart():
    clock = VirtualClock()
    async with StandIn.running(clock=clock) as standin:
        client = client_for(standin, limiter=RateLimiter(1.0, clock=clock, sleep=clock.sleep))
        tasks = [asyncio.create_task(client.release_group(PART1_GROUP)) for _ in range(5)]
        for sent in range(1, 5):
            await after(standin, clock, requests=sent, sleepers=5 - sent)
            clock.wake_next()
        results = await asyncio.gather(*tasks)
        await client.close()
    assert [r.time for r in standin.requests] == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert all(len(r) == 2 for r in results)


def test_the_limiter_gives_each_caller_the_next_free_slot_and_holds_when_asked():
    clock = VirtualClock()
    limiter = RateLimiter(0.5, clock=clock, sleep=clock.sleep)

    async def scenario() -> list[float]:
        slots = [await limiter.acquire()]  # at once
        clock.now += 10  # idle for a while: the next caller goes at once too
        slots.append(await limiter.acquire())
        limiter.hold(7)  # a Retry-After of 7 s
        task = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0)
        clock.wake_next()
        slots.append(await task)
        return slots

    assert asyncio.run(scenario()) == [100.0, 110.0, 117.0]
    with pytest.raises(ValueError):
        RateLimiter(0)


async def test_the_real_limiter_spaces_requests_on_the_loop_clock(musicbrainz):
    """Bounded: three requests at two per second take about a second."""
    client = client_for(musicbrainz, limiter=RateLimiter(2.0))
    await asyncio.wait_for(asyncio.gather(*(client.release_group(PART1_GROUP) for _ in range(3))), timeout=10)
    await client.close()
    times = [r.time for r in musicbrainz.requests]
    assert all(later - earlier >= 0.4 for earlier, later in itertools.pairwise(times))


# --- 503: backoff, Retry-After ---------------------------------------------------------------------------

async def slow_down_test(fail: dict, answers: int) -> tuple[list[float], object]:
    clock = VirtualClock()
    async with StandIn.running(clock=clock) as standin:
        standin.fail("/ws/2/release", "503", **fail)
        client = client_for(standin, limiter=RateLimiter(1.0, clock=clock, sleep=clock.sleep))
        task = asyncio.create_task(client.release(PART1, with_cover=False))
        for sent in range(1, answers):
            await after(standin, clock, requests=sent, sleepers=1)
            clock.wake_next()
        outcome = await asyncio.gather(task, return_exceptions=True)
        await client.close()
    return [r.time for r in standin.requests], outcome[0]


async def test_a_503_is_retried_after_its_retry_after():
    times, release = await slow_down_test({"times": 1, "retry_after": "7"}, answers=2)
    assert times == [100.0, 107.0] and release.title == "도깨비 OST Part 1"


async def test_a_503_without_retry_after_backs_off_doubling_then_gives_up():
    times, error = await slow_down_test({}, answers=4)
    assert times == [100.0, 101.0, 103.0, 107.0]
    assert isinstance(error, Unavailable) and error.key == "musicbrainz.unavailable"


async def test_a_retry_after_too_long_to_wait_is_reported_at_once(musicbrainz, client):
    musicbrainz.fail("/ws/2", "503", retry_after="3600")
    with pytest.raises(Unavailable):
        await client.release(PART1)
    assert len(musicbrainz.requests) == 1


# --- Faults ----------------------------------------------------------------------------------------------

async def test_a_hanging_server_times_out_as_unavailable(musicbrainz):
    client = client_for(musicbrainz, timeout=0.2)
    musicbrainz.fail(f"/ws/2/release/{PART1}", "hang")
    with pytest.raises(Unavailable):
        await client.release(PART1)
    await client.close()


async def test_a_refused_connection_is_unavailable():
    client = MusicBrainzClient(musicbrainz_url=StandIn.refused_url(), coverart_url=StandIn.refused_url(),
                               contact=CONTACT, limiter=RateLimiter(1000))
    with pytest.raises(Unavailable):
        await client.search_releases("도깨비")
    with pytest.raises(Unavailable):
        await client.front_cover(PART1)
    await client.close()


@pytest.mark.parametrize(("mode", "error"), [("reset", Unavailable), ("500", Unavailable),
                                             ("truncate", BadResponse)])
async def test_a_dropped_connection_a_500_and_truncated_json(musicbrainz, client, mode, error):
    musicbrainz.fail("/ws/2/release", mode)
    with pytest.raises(error) as caught:
        await client.release(PART1)
    assert caught.value.key == {Unavailable: "musicbrainz.unavailable", BadResponse: "musicbrainz.bad_response"}[error]


@pytest.mark.parametrize("mbid", [UNKNOWN, AILEE])
async def test_an_unknown_id_or_an_id_of_another_entity_is_not_found(musicbrainz, client, mbid):
    with pytest.raises(NotFound) as caught:
        await client.release(mbid)
    assert caught.value.key == "musicbrainz.not_found"
    with pytest.raises(NotFound):
        await client.release_group(mbid)


async def test_a_missing_cover_is_none(musicbrainz, client):
    assert await client.front_cover(PART4) is None
    assert musicbrainz.paths() == [f"/coverart/release/{PART4}"]
    release = await client.release(PART4)
    assert release.cover_url is None and len(release.tracks) == 2
    # The release says it has no front cover: the archive is not asked again.
    assert musicbrainz.paths()[1:] == [f"/ws/2/release/{PART4}"]


async def test_covers_for_a_preview(musicbrainz, client):
    found = await client.search_releases("도깨비", limit=3)
    covered = await client.with_covers(found)
    assert [c.mbid for c in covered] == [f.mbid for f in found]
    assert [c.cover_url is None for c in covered] == [False, False, True]  # Part 4 has none
    assert client.front_thumbnail(PART1) == f"{musicbrainz.coverart_url}/release/{PART1}/front-250"


async def test_a_failing_cover_archive_leaves_the_songs_without_a_cover(musicbrainz, client, caplog):
    musicbrainz.fail("/coverart", "truncate")
    with caplog.at_level(logging.WARNING, logger="bot.musicbrainz.client"):
        release = await client.release(PART1)
    assert release.cover_url is None and release.tracks[0].title == "Stay With Me"
    assert "Cover Art Archive failed" in caplog.text
    with pytest.raises(BadResponse):
        await client.front_cover(PART1)


async def test_a_missing_pseudo_release_leaves_the_latin_titles_out(musicbrainz, client):
    musicbrainz.fixtures.releases.pop(PART9_LATIN)
    release = await client.release(PART9, with_cover=False)
    assert release.tracks[0].latin_title == ""


async def test_json_of_another_shape_is_a_bad_response(musicbrainz, client):
    musicbrainz.fixtures.releases[PART1] = {"id": PART1, "media": "not a list"}
    with pytest.raises(BadResponse):
        await client.release(PART1)
