"""Look-ups, random picks and recommendations over the store: the glue between the SQL tiers
(`store.search`) and the domain (search, shuffle, recommend), shared by the cogs.

The store is typed as a Protocol, so this module imports neither the store nor discord.
Caches (the in-memory name index, the starting list, tag lists, random pools) are keyed on
`store.catalog.generation`, which every catalog write bumps.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from . import search as matching
from .models import Artist, Drama, Song
from .recommend import Recommendation, recommend
from .search import KINDS, Label, Match, NameEntry, NameIndex
from .shuffle import ShuffleBags
from .text import compact

AUTOCOMPLETE_LIMIT = 25


class _SearchRepo(Protocol):
    async def names(self, norm: str, guild_id: int | None, *, prefix: bool = ..., kinds: Sequence[str] = ...,
                    limit: int = ...) -> list[Match]: ...
    async def fts_songs(self, expression: str, guild_id: int | None, limit: int = ...) -> list[Match]: ...
    async def name_entries(self) -> list[NameEntry]: ...
    async def visible_ids(self, kind: str, ids: Sequence[int], guild_id: int | None) -> set[int]: ...
    async def labels(self, refs: Sequence[tuple[str, int]], guild_id: int | None
                     ) -> dict[tuple[str, int], Label]: ...
    async def starters(self, guild_id: int | None) -> list[tuple[str, int]]: ...
    async def pool(self, guild_id: int | None, **filters: Any) -> list[int]: ...
    async def tags(self, guild_id: int | None) -> list[tuple[str, str, int]]: ...
    async def related_song_ids(self, song_ids: Sequence[int], guild_id: int | None,
                               limit: int = ...) -> list[int]: ...


class _CatalogRepo(Protocol):
    generation: int

    async def songs_by_ids(self, ids: Sequence[int], guild_id: int | None = ...) -> list[Song]: ...
    async def dramas_by_ids(self, ids: Sequence[int], guild_id: int | None = ...) -> list[Drama]: ...
    async def artists_by_ids(self, ids: Sequence[int], guild_id: int | None = ...) -> list[Artist]: ...
    async def song_ids_for_drama(self, drama_id: int, guild_id: int | None) -> list[int]: ...
    async def song_ids_for_artist(self, artist_id: int, guild_id: int | None) -> list[int]: ...


class CatalogStore(Protocol):
    search: _SearchRepo
    catalog: _CatalogRepo


@dataclass(frozen=True, slots=True)
class RandomFilters:
    drama_id: int | None = None
    artist_id: int | None = None
    mood: str | None = None
    ballads_only: bool = True

    @property
    def key(self) -> tuple:
        return (self.drama_id, self.artist_id, self.mood, self.ballads_only)


class CatalogService:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store
        self.bags = ShuffleBags()
        self._index: NameIndex | None = None
        self._index_generation = -1
        self._index_lock = asyncio.Lock()
        self._cache: dict[tuple, Any] = {}
        self._cache_generation = -1

    # -- caches ---------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self.store.catalog.generation

    def _cached(self, key: tuple) -> Any:
        if self._cache_generation != self.generation:
            self._cache.clear()
            self._cache_generation = self.generation
        return self._cache.get(key)

    def _remember(self, key: tuple, value: Any) -> Any:
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = value
        return value

    async def index(self) -> NameIndex:
        """The in-memory name index, rebuilt when the catalog generation changes."""
        if self._index is not None and self._index_generation == self.generation:
            return self._index
        async with self._index_lock:
            generation = self.generation
            if self._index is None or self._index_generation != generation:
                entries = await self.store.search.name_entries()
                # Normalising 100,000 names takes a while: keep the event loop free meanwhile.
                self._index = await asyncio.to_thread(NameIndex.build, entries)
                self._index_generation = generation
        return self._index

    # -- search ---------------------------------------------------------------------------

    async def _visible_only(self, matches: list[Match], guild_id: int | None) -> list[Match]:
        """Drop songs the server hid (the in-memory index knows owners, not hidden lists)."""
        song_ids = [m.id for m in matches if m.kind == "song"]
        if not song_ids:
            return matches
        visible = await self.store.search.visible_ids("song", song_ids, guild_id)
        return [m for m in matches if m.kind != "song" or m.id in visible]

    async def search(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS,
                     limit: int = AUTOCOMPLETE_LIMIT) -> list[Match]:
        """Ranked matches: exact names, name prefixes, words (FTS for songs), then typos."""
        norm = compact(query)
        if not norm:
            return []
        repo = self.store.search
        exact = matching.rank_names(await repo.names(norm, guild_id, kinds=kinds, limit=limit))
        prefix = matching.rank_names(await repo.names(norm, guild_id, prefix=True, kinds=kinds, limit=limit))
        index = await self.index()
        words = await self._visible_only(index.words(query, guild_id, kinds, limit), guild_id)
        fts: list[Match] = []
        expression = matching.fts_query(query)
        if "song" in kinds and expression and len(norm) >= matching.FTS_MIN_CHARS:
            fts = await repo.fts_songs(expression, guild_id, limit)
        found = matching.merge([exact, prefix, words, fts], limit)
        if len(found) < limit:
            fuzzy = await self._visible_only(index.fuzzy(query, guild_id, kinds, limit), guild_id)
            found = matching.merge([found, fuzzy], limit)
        return found

    async def suggest(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS,
                      limit: int = 3) -> list[Match]:
        index = await self.index()
        return (await self._visible_only(index.suggest(query, guild_id, kinds, limit * 2), guild_id))[:limit]

    async def resolve(self, value: str, guild_id: int | None, kinds: Sequence[str] = KINDS) -> list[Match]:
        """An autocomplete value ("song:12") or free text, resolved with the same matcher."""
        ref = matching.parse_ref(value)
        if ref is not None and ref[0] in kinds and await self.store.search.visible_ids(ref[0], [ref[1]], guild_id):
            return [Match(ref[0], ref[1], matching.EXACT, 1.0)]
        return await self.search(value, guild_id, kinds)

    async def starters(self, guild_id: int | None, kinds: Sequence[str] = KINDS) -> list[Match]:
        key = ("starters", guild_id)
        refs = self._cached(key)
        if refs is None:
            refs = self._remember(key, await self.store.search.starters(guild_id))
        return [Match(kind, entry_id, matching.EXACT) for kind, entry_id in refs if kind in kinds]

    async def labels(self, matches: Sequence[Match], guild_id: int | None) -> list[Label]:
        found = await self.store.search.labels([(m.kind, m.id) for m in matches], guild_id)
        return [found[(m.kind, m.id)] for m in matches if (m.kind, m.id) in found]

    # -- entries --------------------------------------------------------------------------

    async def song(self, song_id: int, guild_id: int | None) -> Song | None:
        if not await self.store.search.visible_ids("song", [song_id], guild_id):
            return None
        songs = await self.store.catalog.songs_by_ids([song_id], guild_id)
        return songs[0] if songs else None

    async def drama(self, drama_id: int, guild_id: int | None) -> tuple[Drama, list[Song]] | None:
        if not await self.store.search.visible_ids("drama", [drama_id], guild_id):
            return None
        dramas = await self.store.catalog.dramas_by_ids([drama_id], guild_id)
        if not dramas:
            return None
        ids = await self.store.catalog.song_ids_for_drama(drama_id, guild_id)
        return dramas[0], await self.store.catalog.songs_by_ids(ids, guild_id)

    async def artist(self, artist_id: int, guild_id: int | None) -> tuple[Artist, list[Song]] | None:
        if not await self.store.search.visible_ids("artist", [artist_id], guild_id):
            return None
        artists = await self.store.catalog.artists_by_ids([artist_id], guild_id)
        if not artists:
            return None
        ids = await self.store.catalog.song_ids_for_artist(artist_id, guild_id)
        return artists[0], await self.store.catalog.songs_by_ids(ids, guild_id)

    # -- /random --------------------------------------------------------------------------

    async def tags(self, guild_id: int | None) -> list[tuple[str, str, int]]:
        key = ("tags", guild_id)
        found = self._cached(key)
        if found is None:
            found = self._remember(key, await self.store.search.tags(guild_id))
        return found

    async def find_tag(self, text: str, guild_id: int | None) -> str | None:
        """The catalog tag a user meant ("Piano Ballad" -> "piano ballad"), or None."""
        wanted = compact(text)
        for _, tag, _ in await self.tags(guild_id):
            if compact(tag) == wanted:
                return tag
        return None

    async def pool(self, guild_id: int | None, filters: RandomFilters) -> list[int]:
        key = ("pool", guild_id, filters.key)
        found = self._cached(key)
        if found is None:
            found = self._remember(key, await self.store.search.pool(
                guild_id, drama_id=filters.drama_id, artist_id=filters.artist_id, tag=filters.mood,
                ballads_only=filters.ballads_only))
        return found

    async def draw(self, channel_id: int, guild_id: int | None, filters: RandomFilters) -> Song | None:
        """A song from the filtered pool that this channel has not had since the bag refilled."""
        for _ in range(3):
            pool = await self.pool(guild_id, filters)
            song_id = self.bags.draw((channel_id, guild_id, filters.key), pool, version=(self.generation, len(pool)))
            if song_id is None:
                return None
            song = await self.song(song_id, guild_id)
            if song is not None:
                return song
            self._cache.pop(("pool", guild_id, filters.key), None)  # hidden since: fetch the pool again
        return None

    # -- /recommend -----------------------------------------------------------------------

    async def recommend(self, targets: Sequence[Song], guild_id: int | None, limit: int = 5) -> list[Recommendation]:
        ids = await self.store.search.related_song_ids([t.id for t in targets], guild_id)
        candidates = await self.store.catalog.songs_by_ids(ids, guild_id)
        return recommend(targets, candidates, limit)


_services: weakref.WeakKeyDictionary[Any, CatalogService] = weakref.WeakKeyDictionary()


def service_for(store: CatalogStore) -> CatalogService:
    """One service (and one name index, one set of shuffle bags) per open store."""
    service = _services.get(store)
    if service is None:
        service = _services[store] = CatalogService(store)
    return service
