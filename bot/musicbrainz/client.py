"""The MusicBrainz web service (ws/2, JSON) and the Cover Art Archive, by MusicBrainz's rules.

- Every request names the bot: `User-Agent: ost-ballad-bot/<version> ( <contact> )`.
- At most `rate` requests per second on average (1 by default), through one limiter shared by every
  client of the process: concurrent fetches queue, each waits for its own slot on the loop's clock.
- A 503 (MusicBrainz's "slow down") is retried after a backoff, `Retry-After` honoured when given;
  the wait holds the whole process's limiter, not only the one request.
- Faults become three exceptions with an i18n key: `NotFound`, `Unavailable`, `BadResponse`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from .. import __version__
from . import releases
from .models import Release, ReleaseSummary

if TYPE_CHECKING:
    from ..config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

RELEASE_INC = "recordings+artist-credits+aliases+release-groups+release-rels"
SUMMARY_INC = "artist-credits+release-groups+media"
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is not waited out, the fetch is reported unavailable
BACKOFF = 1.0  # seconds before the first retry of a 503 without Retry-After, doubling each time


class MusicBrainzError(Exception):
    """Base of the client's errors; `key` is an i18n message key, `params` its parameters."""

    key = "musicbrainz.unavailable"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.key)
        self.params = params


class NotFound(MusicBrainzError):
    """Unknown id (404), or an id of another entity type."""

    key = "musicbrainz.not_found"


class Unavailable(MusicBrainzError):
    """503 after the retries, a timeout, a refused connection, another 5xx."""

    key = "musicbrainz.unavailable"


class BadResponse(MusicBrainzError):
    """Malformed or truncated JSON, or JSON of an unexpected shape."""

    key = "musicbrainz.bad_response"


class RateLimiter:
    """At most `rate` acquisitions per second on average; callers queue in arrival order.

    Each caller takes the next free slot (`1/rate` seconds after the previous one) at once, then sleeps
    until it. `clock` and `sleep` default to the running loop's clock and `asyncio.sleep`; tests drive
    both to check the schedule without waiting.
    """

    def __init__(self, rate: float = 1.0, *, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep or asyncio.sleep
        self._next = float("-inf")

    def now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def acquire(self) -> float:
        """Wait for this caller's slot; returns the slot's time on the limiter's clock."""
        now = self.now()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)
        return slot

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` from now (the server asked us to slow down)."""
        self._next = max(self._next, self.now() + seconds)


_shared: dict[float, RateLimiter] = {}


def shared_limiter(rate: float = 1.0) -> RateLimiter:
    """The process's limiter for `rate`: every client made from the settings shares it."""
    if rate not in _shared:
        _shared[rate] = RateLimiter(rate)
    return _shared[rate]


def user_agent(contact: str) -> str:
    return f"ost-ballad-bot/{__version__} ( {contact} )"


def lucene_escape(words: str) -> str:
    """Words as plain terms of a Lucene query (MusicBrainz's search syntax): its special characters
    escaped, and AND, OR, NOT in lower case (plain words then; the search ignores case)."""
    special = set('+-&|!(){}[]^"~*?:\\/')
    escaped = "".join("\\" + c if c in special else c for c in words)
    return re.sub(r"\b(AND|OR|NOT)\b", lambda m: m[0].lower(), escaped)


class MusicBrainzClient:
    def __init__(self, *, musicbrainz_url: str, coverart_url: str, contact: str,
                 session: aiohttp.ClientSession | None = None, limiter: RateLimiter | None = None,
                 timeout: float = 10.0, retries: int = 3) -> None:
        self.root = musicbrainz_url.rstrip("/")
        self.coverart_root = coverart_url.rstrip("/")
        self.user_agent = user_agent(contact)
        self.limiter = limiter or shared_limiter()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.retries = retries
        self._session = session
        self._owns_session = session is None

    @classmethod
    def from_settings(cls, settings: Settings) -> MusicBrainzClient:
        return cls(musicbrainz_url=settings.musicbrainz_url, coverart_url=settings.coverart_url,
                   contact=settings.musicbrainz_contact, limiter=shared_limiter(settings.musicbrainz_rate),
                   timeout=settings.musicbrainz_timeout)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"User-Agent": self.user_agent,
                                                           "Accept": "application/json"})
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()

    async def _get(self, url: str, params: Mapping[str, str | int] | None = None, *,
                   missing_ok: bool = False) -> Any:
        """GET JSON, through the limiter, retrying 503s; None for a 404 when `missing_ok`."""
        for attempt in range(self.retries + 1):
            await self.limiter.acquire()
            try:
                async with self._http().get(url, params=params, timeout=self.timeout) as response:
                    if response.status in (400, 404):  # 400: ws/2's answer to an id it cannot read
                        if missing_ok:
                            return None
                        raise NotFound(f"{url}: HTTP {response.status}")
                    if response.status == 503 and attempt < self.retries:
                        self._back_off(response.headers.get("Retry-After"), attempt, url)
                        continue
                    if response.status != 200:
                        raise Unavailable(f"{url}: HTTP {response.status}")
                    body = await response.read()
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise Unavailable(f"{url}: {type(exc).__name__} {exc}") from exc
            try:
                return json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BadResponse(f"{url}: {exc}") from exc
        raise Unavailable(f"{url}: 503 after {self.retries} retries")  # pragma: no cover (the loop returns)

    def _back_off(self, retry_after: str | None, attempt: int, url: str) -> None:
        wait = BACKOFF * 2**attempt
        if retry_after is not None:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the exponential backoff
                wait = max(float(retry_after), 0.0)
        if wait > MAX_RETRY_AFTER:
            raise Unavailable(f"{url}: 503, Retry-After {retry_after}")
        log.info("MusicBrainz answered 503 for %s; retrying in %.1f s", url, wait)
        self.limiter.hold(wait)

    async def _ws(self, path: str, **params: str | int) -> Any:
        data = await self._get(f"{self.root}/ws/2/{path}", {**params, "fmt": "json"})
        if not isinstance(data, dict):
            raise BadResponse(f"ws/2/{path}: not a JSON object")
        return data

    async def search_releases(self, words: str, *, limit: int = 10) -> list[ReleaseSummary]:
        """Soundtrack releases matching the words (title, release group), best score first."""
        query = f"({lucene_escape(words)}) AND secondarytype:soundtrack"
        data = await self._ws("release", query=query, limit=max(1, min(limit, 100)))  # ws/2 allows 1-100
        return releases.prefer_originals(_checked(releases.summaries_from_search, data))

    async def release_group(self, mbid: str) -> list[ReleaseSummary]:
        """The releases of one release group (a browse)."""
        params: dict[str, str | int] = {"release-group": mbid, "inc": SUMMARY_INC, "limit": 100}
        data = await self._ws("release", **params)
        return _checked(releases.summaries_from_search, data)

    async def drama_releases(self, drama: str) -> list[ReleaseSummary]:
        """Every OST part of one drama: one release per release group whose drama is `drama`."""
        name = lucene_escape(drama)
        query = f'(release:"{name}" OR releasegroup:"{name}") AND secondarytype:soundtrack'
        data = await self._ws("release", query=query, limit=100)
        return releases.drama_parts(_checked(releases.summaries_from_search, data), drama)

    async def release(self, mbid: str, *, with_cover: bool = True) -> Release:
        """One release with its tracks, the Latin titles of its linked pseudo-release, and its cover.

        Given a pseudo-release (a Latin copy), the original release it copies is fetched instead."""
        data = await self._ws(f"release/{mbid}", inc=RELEASE_INC)
        pseudo = None
        if (original := _checked(releases.original_release_id, data)) is not None:
            pseudo, mbid = data, original
            data = await self._ws(f"release/{mbid}", inc=RELEASE_INC)
        elif (pseudo_id := _checked(releases.pseudo_release_id, data)) is not None:
            try:
                pseudo = await self._ws(f"release/{pseudo_id}", inc="recordings")
            except NotFound:
                pseudo = None
        cover = await self._cover_or_none(mbid) if with_cover and releases.may_have_cover(data) else None
        return _checked(lambda d: releases.release_from_json(d, pseudo=pseudo, cover_url=cover), data)

    async def _cover_or_none(self, mbid: str) -> str | None:
        """The cover is decoration: when the archive fails, the songs come without it."""
        try:
            return await self.front_cover(mbid)
        except MusicBrainzError as exc:
            log.warning("No cover for release %s: the Cover Art Archive failed (%s)", mbid, exc)
            return None

    def front_thumbnail(self, release_mbid: str) -> str:
        """The archive's address of a release's 250 px front image, without asking whether there is one:
        it redirects to the image, and Discord shows no thumbnail when there is none. For previews."""
        return f"{self.coverart_root}/release/{release_mbid}/front-250"

    async def with_covers(self, summaries: list[ReleaseSummary]) -> list[ReleaseSummary]:
        """The summaries with their checked cover URLs: one archive request each (a second each, queued)."""
        return [replace(s, cover_url=await self._cover_or_none(s.mbid)) for s in summaries]

    async def front_cover(self, release_mbid: str) -> str | None:
        """The front cover's 250 px thumbnail URL, None when the release has no cover (404)."""
        data = await self._get(f"{self.coverart_root}/release/{release_mbid}", missing_ok=True)
        if data is None:
            return None
        if not isinstance(data, dict):
            raise BadResponse("Cover Art Archive: not a JSON object")
        return _checked(lambda d: releases.cover_from_json(d, release_mbid, self.coverart_root), data)


def _checked(convert: Callable[[Any], T], data: Any) -> T:
    """The conversion, with JSON of an unexpected shape reported as a BadResponse."""
    try:
        return convert(data)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise BadResponse(f"unexpected JSON: {type(exc).__name__} {exc}") from exc
