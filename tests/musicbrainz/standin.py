"""A local stand-in for MusicBrainz's web service (ws/2, JSON) and the Cover Art Archive.

It serves the fixture JSON in `fixtures/` (shaped exactly as ws/2 and the Cover Art Archive serve it):
`/ws/2/release/<mbid>`, `/ws/2/release?query=…` (search), `/ws/2/release?release-group=…` (browse),
`/ws/2/release-group/<mbid>`, and under `/coverart` the Cover Art Archive's `/release/<mbid>` (a 307 to
the JSON listing, as the real archive redirects to archive.org) and `/release/<mbid>/front-250`.

It records every request (path, query, User-Agent, time on its clock: the event loop's unless given)
and can be told to fail a path: answer 503 (with or without Retry-After), hang, serve truncated JSON,
or drop the connection. `refused_url()` is a root where nothing listens.

In tests: the `musicbrainz` fixture. As a process (CLI tests, the playground):
    python -m tests.musicbrainz.standin --port 8900 [--fail /ws/2/release=503]
prints `OST_MUSICBRAINZ_URL=…` and `OST_COVERART_URL=…` and serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import re
import signal
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

FIXTURES = Path(__file__).parent / "fixtures"
COVERART = "/coverart"
BOX_TRACKS = 320  # the box set's track count: its one written-out track, repeated
NOT_FOUND = {"error": "Not Found", "help": "For usage, please see: https://musicbrainz.org/development/mmd"}
RATE_LIMITED = {"error": "Your requests are exceeding the allowable rate limit. Please see "
                         "http://wiki.musicbrainz.org/XMLWebService for more information."}
# Words -> the search answer they find (a real search ranks by Lucene; these are the drama names).
SEARCHES = {("도깨비", "goblin", "dokkaebi"): "search-goblin.json",
            ("시크릿", "secret garden"): "search-secret-garden.json"}
FAULTS = ("503", "hang", "truncate", "reset", "500")
JPEG_250 = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    user_agent: str
    time: float


@dataclass
class Fault:
    path: str  # a path prefix ("/ws/2/release/<mbid>", "/coverart/release", "/ws/2")
    mode: str  # one of FAULTS
    times: int | None = None  # how many requests fail; None: every one
    retry_after: str | None = None  # the Retry-After header of a 503


@dataclass
class Fixtures:
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    browses: dict[str, dict[str, Any]] = field(default_factory=dict)
    covers: dict[str, dict[str, Any]] = field(default_factory=dict)
    searches: dict[str, dict[str, Any]] = field(default_factory=dict)
    artists: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path = FIXTURES) -> Fixtures:
        fixtures = cls()
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            kind, _, key = path.stem.partition("-")
            if kind == "release":
                fixtures.releases[data["id"]] = data
                fixtures.artists.update(c["artist"]["id"] for c in data.get("artist-credit", ()))
            elif kind == "group":
                fixtures.groups[key] = data
            elif kind == "browse":
                fixtures.browses[key] = data
            elif kind == "cover":
                fixtures.covers[key] = data
            elif kind == "search":
                fixtures.searches[path.name] = data
        for release in fixtures.releases.values():
            _expand_box(release)
        return fixtures


def _expand_box(release: dict[str, Any]) -> None:
    """The box set (a release with hundreds of tracks) is written with one track; repeat it."""
    if release["title"] != "도깨비 OST Complete Box":
        return
    medium = release["media"][0]
    model = medium["tracks"][0]
    tracks = []
    for n in range(1, BOX_TRACKS + 1):
        track = copy.deepcopy(model)
        track.update(id=f"{model['id'][:-4]}{n:04x}", number=str(n), position=n, title=f"도깨비 테마 {n}")
        track["recording"].update(id=f"{model['recording']['id'][:-4]}{n:04x}", title=f"도깨비 테마 {n}")
        tracks.append(track)
    medium.update(tracks=tracks, **{"track-count": BOX_TRACKS})


class StandIn:
    """The server. `await start()` (port 0: any free port), `await close()`; or the `running()` context."""

    def __init__(self, *, clock: Callable[[], float] | None = None, fixtures: Fixtures | None = None) -> None:
        self.fixtures = fixtures or Fixtures.load()
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.changed = asyncio.Condition()  # notified at each request
        self._clock = clock
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def coverart_url(self) -> str:
        return self.url + COVERART

    def fail(self, path: str, mode: str, *, times: int | None = None, retry_after: str | None = None) -> None:
        """Fail requests whose path starts with `path` (`mode` in FAULTS), `times` of them or all."""
        if mode not in FAULTS:
            raise ValueError(f"mode must be one of {FAULTS}")
        self.faults.append(Fault(path, mode, times, retry_after))

    def heal(self) -> None:
        self.faults.clear()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    @staticmethod
    def refused_url() -> str:
        """A root on a port where nothing listens (bound for a moment, then freed): connection refused."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/ws/2/release/{mbid}", self._release)
        app.router.add_get("/ws/2/release", self._release_list)
        app.router.add_get("/ws/2/release/", self._release_list)
        app.router.add_get("/ws/2/release-group/{mbid}", self._group)
        app.router.add_get(COVERART + "/release/{mbid}", self._cover_redirect)
        app.router.add_get(COVERART + "/release/{mbid}/front-250", self._front_250)
        app.router.add_get(COVERART + "/download/mbid-{mbid}/index.json", self._cover)
        app.router.add_get(COVERART + "/download/mbid-{mbid}/front-250.jpg", self._image)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
        self.url = f"http://{bound[0]}:{bound[1]}"
        return self.url

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, **kwargs: Any) -> AsyncIterator[StandIn]:
        standin = cls(**kwargs)
        await standin.start()
        try:
            yield standin
        finally:
            await standin.close()

    # --- Recording and faults ---------------------------------------------------------------------------

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        self.requests.append(Request(request.path, dict(request.query), request.headers.get("User-Agent", ""),
                                     self._now()))
        async with self.changed:
            self.changed.notify_all()
        fault = self._fault_for(request.path)
        if fault is None:
            response: web.StreamResponse = await handler(request)
            return response
        if fault.mode == "503":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return web.json_response(RATE_LIMITED, status=503, headers=headers)
        if fault.mode == "500":
            return web.Response(status=500, text="Internal Server Error")
        if fault.mode == "hang":
            await self._closing.wait()
            return web.Response(status=503)
        if fault.mode == "reset":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        answer = await handler(request)  # truncate: the real answer, cut in half
        body = answer.body if isinstance(answer, web.Response) and isinstance(answer.body, bytes) else b"{}"
        return web.Response(body=body[: len(body) // 2], status=answer.status, content_type="application/json")

    def _fault_for(self, path: str) -> Fault | None:
        for fault in self.faults:
            if path.startswith(fault.path) and (fault.times is None or fault.times > 0):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    # --- ws/2 -------------------------------------------------------------------------------------------

    @staticmethod
    def _answer(request: web.Request, data: dict[str, Any] | None) -> web.Response:
        if request.query.get("fmt") != "json" and "json" not in request.headers.get("Accept", ""):
            # Without fmt=json (or an Accept of JSON) ws/2 answers in XML.
            xml = '<?xml version="1.0" encoding="UTF-8"?><metadata/>'
            return web.Response(text=xml, content_type="application/xml")
        if data is None:
            return web.json_response(NOT_FOUND, status=404)
        return web.json_response(data, dumps=lambda d: json.dumps(d, ensure_ascii=False))

    async def _release(self, request: web.Request) -> web.Response:
        # An id of another entity type (an artist's) is unknown as a release: a 404, as on MusicBrainz.
        data = self.fixtures.releases.get(request.match_info["mbid"])
        if data is not None:
            # Like ws/2, relations and the release group only when `inc` asks for them.
            inc = re.split(r"[+ ]", request.query.get("inc", ""))  # as ws/2's Validator.pm splits it
            data = {k: v for k, v in data.items() if (k != "relations" or "release-rels" in inc)
                    and (k != "release-group" or "release-groups" in inc)}
        return self._answer(request, data)

    async def _group(self, request: web.Request) -> web.Response:
        return self._answer(request, self.fixtures.groups.get(request.match_info["mbid"]))

    async def _release_list(self, request: web.Request) -> web.Response:
        if "query" in request.query:
            words = request.query["query"].casefold()
            name = next((f for keys, f in SEARCHES.items() if any(k in words for k in keys)), "search-empty.json")
            data = copy.deepcopy(self.fixtures.searches[name])
            limit = int(request.query.get("limit", "25"))
            data["releases"] = data["releases"][:limit]
            return self._answer(request, data)
        if group := request.query.get("release-group"):
            return self._answer(request, self.fixtures.browses.get(group))
        return web.json_response({"error": "Invalid resource: release. "}, status=400)

    # --- The Cover Art Archive --------------------------------------------------------------------------

    async def _cover_redirect(self, request: web.Request) -> web.Response:
        mbid = request.match_info["mbid"]
        if mbid not in self.fixtures.covers:
            return web.Response(status=404, text="Not Found")
        raise web.HTTPTemporaryRedirect(f"{COVERART}/download/mbid-{mbid}/index.json")

    async def _cover(self, request: web.Request) -> web.Response:
        data = self.fixtures.covers.get(request.match_info["mbid"])
        return web.json_response(data) if data is not None else web.Response(status=404, text="Not Found")

    async def _front_250(self, request: web.Request) -> web.Response:
        mbid = request.match_info["mbid"]
        if mbid not in self.fixtures.covers:
            return web.Response(status=404, text="Not Found")
        raise web.HTTPTemporaryRedirect(f"{COVERART}/download/mbid-{mbid}/front-250.jpg")

    async def _image(self, request: web.Request) -> web.Response:
        return web.Response(body=JPEG_250, content_type="image/jpeg")


@pytest.fixture
async def musicbrainz() -> AsyncIterator[StandIn]:
    """The stand-in on a free port of 127.0.0.1: `.url`, `.coverart_url`, `.requests`, `.fail(...)`."""
    async with StandIn.running() as standin:
        yield standin


async def _serve(host: str, port: int, faults: list[str]) -> None:
    standin = StandIn()
    for spec in faults:
        path, _, mode = spec.rpartition("=")
        standin.fail(path, mode)
    url = await standin.start(host, port)
    print(f"OST_MUSICBRAINZ_URL={url}\nOST_COVERART_URL={standin.coverart_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await standin.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for MusicBrainz and the Cover Art Archive.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (the URL is printed)")
    parser.add_argument("--fail", action="append", default=[], metavar="PATH=MODE",
                        help=f"fail requests under PATH, MODE one of {', '.join(FAULTS)}")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.host, args.port, args.fail))


if __name__ == "__main__":
    main()
