"""Fetching a drama's OST from MusicBrainz into a catalog: what `/catalog fetch` and `ostbot db fetch`
share. No discord import: the cog and the command line show the results their own way.

A query (words, a release or release-group MBID or link) finds releases; the first is read in full
for the preview; on confirmation the chosen release, or every OST part of its drama, is read, planned
(`catalog.fetched.plan_fetch`) and added in one transaction (`CatalogRepo.add_fetched`). Every fault
of MusicBrainz or of the query becomes a `UserError` with one log line: nothing half-written.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalog.fetched import FetchPlan, FetchRefused, FetchResult, plan_fetch
from .catalog.limits import ServerSongLimit
from .errors import UserError
from .musicbrainz.client import MusicBrainzClient, MusicBrainzError
from .musicbrainz.models import Release, ReleaseSummary
from .musicbrainz.releases import BadQuery, parse_query

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

MAX_FOUND = 10      # releases a search lists
MAX_PARTS = 12      # OST parts one "every part" fetch reads (each is up to three requests, one a second)


@dataclass(frozen=True, slots=True)
class Found:
    """What a query found: the releases (best first) and the first of them read in full."""

    query: str
    releases: tuple[ReleaseSummary, ...]
    chosen: Release


@asynccontextmanager
async def fetch_faults(what: str) -> AsyncIterator[None]:
    """MusicBrainz's faults, a query naming no OST and a refused plan, as the reader's message, with
    one log line each (INFO for the reader's own mistakes, WARNING for MusicBrainz's faults)."""
    try:
        yield
    except BadQuery as error:
        log.info("%s: %s", what, error.key)
        raise UserError(error.key, **error.params) from error
    except FetchRefused as error:
        log.info("%s: %s", what, error.key)
        raise UserError(error.key, **error.params) from error
    except MusicBrainzError as error:
        log.warning("%s: MusicBrainz %s (%s)", what, type(error).__name__, error)
        raise UserError(error.key, **error.params) from error


def summary_of(release: Release) -> ReleaseSummary:
    return ReleaseSummary(release.mbid, release.title, release.date, release.release_group_mbid,
                          release.release_group_title, release.drama, release.singers, release.track_count,
                          100, release.cover_url)


async def find(client: MusicBrainzClient, text: str) -> Found:
    """The releases a query names or finds; raises UserError (no soundtrack, bad query, a fault)."""
    async with fetch_faults(f"fetch {text!r}"):
        query = parse_query(text)
        if query.kind == "release":
            chosen = await client.release(query.value)
            return Found(text, (summary_of(chosen),), chosen)
        if query.kind == "release_group":
            found = await client.release_group(query.value)
        else:
            found = await client.search_releases(query.value, limit=MAX_FOUND)
        if not found:
            raise FetchRefused("musicbrainz.no_soundtrack", query=text[:100])
        chosen = await client.release(found[0].mbid)
        return Found(text, tuple(found[:MAX_FOUND]), chosen)


async def read_release(client: MusicBrainzClient, mbid: str) -> Release:
    async with fetch_faults(f"fetch release {mbid}"):
        return await client.release(mbid)


async def read_parts(client: MusicBrainzClient, drama: str) -> list[Release]:
    """Every OST part of a drama (at most MAX_PARTS), each read in full, earliest first."""
    async with fetch_faults(f"fetch every part of {drama!r}"):
        parts = await client.drama_releases(drama)
        if not parts:
            raise FetchRefused("musicbrainz.no_soundtrack", query=drama[:100])
        return [await client.release(p.mbid) for p in parts[:MAX_PARTS]]


def plan(releases: list[Release], *, drama: str | None, instrumentals: bool) -> FetchPlan:
    try:
        return plan_fetch(releases, drama=drama, instrumentals=instrumentals)
    except FetchRefused as error:
        raise UserError(error.key, **error.params) from error


async def add(store: Store, fetch_plan: FetchPlan, *, guild_id: int | None, added_by: int | None) -> FetchResult:
    """Add the plan to the shared catalog (guild None) or one server's, in one transaction."""
    try:
        result = await store.catalog.add_fetched(fetch_plan, guild_id=guild_id, origin="import" if guild_id is None
                                                 else "guild", added_by=added_by)
    except ServerSongLimit as error:  # the transaction rolled back: nothing was added
        log.info("fetch into server %s refused: %s", guild_id, error)
        raise UserError("fetch.error.server_limit", limit=error.limit, songs=error.songs,
                        adding=error.adding) from error
    log.info("fetched %s into %s: %d added, %d already there, %d left out", ", ".join(
        r.mbid for r in fetch_plan.releases), "the shared catalog" if guild_id is None else f"server {guild_id}",
        len(result.added), len(result.linked), len(result.left_out))
    return result
