"""Look-ups, random picks and recommendations over the store: the glue between the SQL tiers
(`store.search`) and the domain (search, shuffle, recommend), shared by the cogs.

The store is typed as a Protocol, so this module imports neither the store nor discord.
Caches (the starting list, tag lists, random pools, labels, cards) are stamped with the shared
catalog's generation and the server's own (`_stamp`): a write to one server's catalog makes only
that server's caches stale. The shared name index follows the shared catalog alone, and is built
again in the background after it changes; each server's own entries have a small index of their
own (`server_names.ServerNames`).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import moods
from . import search as matching
from .limits import DEFAULT_WRITES_PER_MINUTE, WriteRate
from .models import Actor, Artist, Drama, Song
from .recommend import Recommendation, recommend
from .search import KINDS, Label, Match, NameIndex
from .server_names import ServerNames
from .shuffle import ShuffleBags
from .text import compact

AUTOCOMPLETE_LIMIT = 25
CACHE_LIMIT = 4096   # search results, labels and cards kept (the oldest go first)
SERVER_INDEXES = 512  # servers whose own name index is kept (the least recently used go first)
CacheKey = tuple[object, ...]
Stamp = tuple[int, int]
T = TypeVar("T")


class _SearchRepo(Protocol):
    async def names(self, norm: str, guild_id: int | None, *, prefix: bool = ..., kinds: Sequence[str] = ...,
                    limit: int = ...) -> list[Match]: ...
    async def fts_songs(self, words: Sequence[str], guild_id: int | None, limit: int = ...) -> list[Match]: ...
    async def build_name_index(self, build: Callable[..., NameIndex]) -> NameIndex: ...
    async def build_server_names(self, guild_id: int, build: Callable[..., NameIndex]) -> NameIndex: ...
    async def visible_ids(self, kind: str, ids: Sequence[int], guild_id: int | None) -> set[int]: ...
    async def labels(self, refs: Sequence[tuple[str, int]], guild_id: int | None
                     ) -> dict[tuple[str, int], Label]: ...
    async def starters(self, guild_id: int | None) -> list[tuple[str, int]]: ...
    async def pool(self, guild_id: int | None, *, drama_id: int | None = ..., artist_id: int | None = ...,
                   tag: str | None = ..., ballads_only: bool = ...) -> Sequence[int]: ...
    async def tags(self, guild_id: int | None) -> list[tuple[str, str, int]]: ...
    async def related_song_ids(self, song_ids: Sequence[int], guild_id: int | None,
                               limit: int = ...) -> list[int]: ...


class _CatalogRepo(Protocol):
    shared_generation: int

    def guild_generation(self, guild_id: int | None) -> int: ...

    async def songs_by_ids(self, ids: Sequence[int], guild_id: int | None = ...) -> list[Song]: ...
    async def song_cards_by_ids(self, ids: Sequence[int], guild_id: int | None = ...) -> list[Song]: ...
    async def drama_with_songs(self, drama_id: int, guild_id: int | None) -> tuple[Drama, list[Song]] | None: ...
    async def artist_with_songs(self, artist_id: int, guild_id: int | None) -> tuple[Artist, list[Song]] | None: ...
    async def actors_by_ids(self, ids: Sequence[int]) -> list[Actor]: ...


class CatalogStore(Protocol):
    @property
    def search(self) -> _SearchRepo: ...
    @property
    def catalog(self) -> _CatalogRepo: ...


@dataclass(frozen=True, slots=True)
class RandomFilters:
    drama_id: int | None = None
    artist_id: int | None = None
    mood: str | None = None
    ballads_only: bool = True

    @property
    def key(self) -> CacheKey:
        return (self.drama_id, self.artist_id, self.mood, self.ballads_only)


class CatalogService:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store
        self.bags = ShuffleBags()
        self._index: NameIndex | None = None
        self._index_generation = -1
        self._index_lock = asyncio.Lock()
        self._cache: dict[CacheKey, tuple[Stamp, Any]] = {}
        self._build: asyncio.Task[NameIndex] | None = None
        # guild -> (its generation, its own index), and the builds under way.
        self._own: OrderedDict[int, tuple[int, NameIndex]] = OrderedDict()
        self._own_builds: dict[int, tuple[int, asyncio.Future[NameIndex]]] = {}
        # How often a server may write to its own catalog (the bot sets it from its settings).
        self.write_rate = WriteRate(DEFAULT_WRITES_PER_MINUTE, lambda: asyncio.get_running_loop().time())

    # -- writes -----------------------------------------------------------------------------

    def admit_write(self, guild_id: int) -> None:
        """Call before every write to a server's own catalog (add, remove, hide, restore, import, a
        MusicBrainz fetch): raises limits.CatalogWritesTooFast when the server made its writes of
        the minute. The song limit is the store's (`CatalogRepo.import_records` and
        `within_song_limit`, inside the write's transaction: limits.ServerSongLimit)."""
        self.write_rate.admit(guild_id)

    # -- caches ---------------------------------------------------------------------------

    def _stamp(self, guild_id: int | None) -> Stamp:
        """What a server's cached answers depend on: the shared catalog and its own."""
        catalog = self.store.catalog
        return catalog.shared_generation, catalog.guild_generation(guild_id)

    def _cached(self, key: CacheKey, stamp: Stamp) -> Any:
        """The cached value if it was computed at `stamp`, else None."""
        hit = self._cache.get(key)
        return hit[1] if hit is not None and hit[0] == stamp else None

    def _remember(self, key: CacheKey, stamp: Stamp, value: Any) -> Any:
        """Keep `value`, computed from the catalog as it was at `stamp` (taken before reading it: a
        write meanwhile leaves it stale, never wrong)."""
        if len(self._cache) >= CACHE_LIMIT and key not in self._cache:
            # Oldest first (dicts keep insertion order): drop a quarter, keep the rest warm.
            for stale in list(itertools.islice(self._cache, CACHE_LIMIT // 4)):
                del self._cache[stale]
        self._cache[key] = (stamp, value)
        return value

    async def index(self) -> NameIndex:
        """The shared catalog's name index, built again (and awaited) when the shared catalog changed."""
        if (current := self._current_index()) is not None:
            return current
        async with self._index_lock:
            generation = self.store.catalog.shared_generation
            if self._index is None or self._index_generation != generation:
                # Normalising 100,000 names takes a while: the store runs it in a worker thread.
                self._index = await self.store.search.build_name_index(NameIndex.build)
                self._index_generation = generation
        return self._index

    def _current_index(self) -> NameIndex | None:
        """The shared index, if it was built for the shared catalog as it is now."""
        current = self._index is not None and self._index_generation == self.store.catalog.shared_generation
        return self._index if current else None

    def start_index(self) -> None:
        """Begin building the shared index in the background (start-up does not wait for it)."""
        if self._build is None or self._build.done():
            self._build = asyncio.get_running_loop().create_task(self.index(), name="name-index")

    async def names_for(self, guild_id: int | None) -> ServerNames:
        """What this server's look-ups search, every part built for the catalog as it is now (awaited)."""
        shared = await self.index()
        return ServerNames(shared) if guild_id is None else ServerNames.of(shared, await self._own_index(guild_id),
                                                                          guild_id)

    async def _usable_names(self, guild_id: int | None) -> ServerNames | None:
        """What to search with. None while the shared index is being built (the seconds after start-up
        with a big catalog, or after the shared catalog changed: the new index is built in the
        background, then swapped in): callers then use the store's SQL tiers, which read the
        catalog as it is, so nobody waits past Discord's 3-second deadline and nothing gone is
        shown. A server's own index is small (OST_MAX_SERVER_SONGS) and awaited after its writes."""
        shared = self._current_index()
        if shared is None and self._index is None and self._build is None:
            shared = await self.index()  # nothing started it (a command-line look-up): build it now
        if shared is None:
            self.start_index()
            return None
        if guild_id is None:
            return ServerNames(shared)
        return ServerNames.of(shared, await self._own_index(guild_id), guild_id)

    async def _own_index(self, guild_id: int) -> NameIndex:
        """The index of this server's own entries (and the shared songs it hides), built again only
        after its own writes; concurrent look-ups share one build."""
        generation = self.store.catalog.guild_generation(guild_id)
        held = self._own.get(guild_id)
        if held is not None and held[0] == generation:
            self._own.move_to_end(guild_id)
            return held[1]
        building = self._own_builds.get(guild_id)
        if building is None or building[0] != generation:
            build = functools.partial(NameIndex.build, sparse=True)
            future = asyncio.ensure_future(self.store.search.build_server_names(guild_id, build))
            building = self._own_builds[guild_id] = (generation, future)
        try:
            own = await asyncio.shield(building[1])
        finally:
            if self._own_builds.get(guild_id) is building and building[1].done():
                del self._own_builds[guild_id]
        self._own[guild_id] = (generation, own)
        self._own.move_to_end(guild_id)
        while len(self._own) > SERVER_INDEXES:
            self._own.popitem(last=False)
        return own

    # -- search ---------------------------------------------------------------------------

    async def search(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS,
                     limit: int = AUTOCOMPLETE_LIMIT, *, best_only: bool = False) -> list[Match]:
        """Ranked matches: exact names, name prefixes, words (FTS for songs), then typos.

        Typos are looked for only when nothing else matched. `best_only` stops at the first
        tier that matched (all a look-up needs: the best match and its equals).
        """
        norm = compact(query)
        if not norm:
            return []
        kinds = tuple(kinds)
        key = ("search", " ".join(query.split()), guild_id, kinds, limit, best_only)
        stamp = self._stamp(guild_id)
        found = self._cached(key, stamp)
        if found is None:
            index = await self._usable_names(guild_id)
            found = await self._search(index, query, norm, guild_id, kinds, limit, best_only)
            if index is not None:  # while the shared index builds, results lack typos: not kept
                self._remember(key, stamp, found)
        return list(found)

    async def _search(self, index: ServerNames | None, query: str, norm: str, guild_id: int | None,
                      kinds: tuple[str, ...], limit: int, best_only: bool) -> tuple[Match, ...]:
        """The tiers in order. Without an index (the first build is still running) the names come
        from the store's SQL tiers, and there is no word or typo search."""
        tiers: list[list[Match]] = []
        for prefix in (False, True):
            if index is None:
                tier = matching.rank_names(await self.store.search.names(
                    norm, guild_id, prefix=prefix, kinds=kinds, limit=limit))
            else:
                tier = index.names(norm, guild_id, kinds, prefix=prefix, limit=limit)
            tiers.append(tier)
            if best_only and tier:
                return tuple(matching.merge([tier], limit))
        found = matching.merge(tiers, limit)
        if len(found) >= limit:  # names alone fill the list ("a", "lo"): no word search needed
            return tuple(found)
        if index is not None:
            tiers.append(index.words(query, guild_id, kinds, limit))
            found = matching.merge(tiers, limit)
        words = matching.search_words(query)
        if "song" in kinds and words and len(norm) >= matching.FTS_MIN_CHARS and len(found) < limit:
            tiers.append(await self.store.search.fts_songs(words, guild_id, limit))
            found = matching.merge(tiers, limit)
        if not found and index is not None:
            found = index.fuzzy(query, guild_id, kinds, limit)
        return tuple(found)

    async def suggest(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS,
                      limit: int = 3) -> list[Match]:
        index = await self._usable_names(guild_id)
        if index is None:
            return []
        # A loose comparison with every name (tens of ms in a big catalog): off the event loop.
        return await asyncio.to_thread(index.suggest, query, guild_id, tuple(kinds), limit)

    async def resolve(self, value: str, guild_id: int | None, kinds: Sequence[str] = KINDS) -> list[Match]:
        """An autocomplete value ("song:12") or free text: the best match first, then those as good
        as it (same tier), with the same matcher as autocomplete."""
        ref = matching.parse_ref(value)
        if ref is not None and ref[0] in kinds and await self._sees(ref[0], ref[1], guild_id):
            return [Match(ref[0], ref[1], matching.EXACT, 1.0)]
        return await self.search(value, guild_id, kinds, best_only=True)

    async def names_in(self, text: str, guild_id: int | None, kinds: Sequence[str] = KINDS,
                       limit: int = AUTOCOMPLETE_LIMIT) -> list[Match]:
        """The entries a piece of text names exactly ("I cried at Stay with Me" -> the song), the
        longest name first where names overlap, in the order they appear."""
        index = await self._usable_names(guild_id)
        found: list[Match] = []
        covered = 0
        for start, end, key in matching.name_windows(text):
            if start < covered:
                continue
            if index is not None:
                tier = index.names(key, guild_id, tuple(kinds), limit=limit)
            else:
                tier = await self.store.search.names(key, guild_id, kinds=tuple(kinds), limit=limit)
            if tier:
                found.extend(tier)
                covered = end
        return matching.merge([found], limit)

    async def starters(self, guild_id: int | None, kinds: Sequence[str] = KINDS) -> list[Match]:
        key, stamp = ("starters", guild_id), self._stamp(guild_id)
        refs = self._cached(key, stamp)
        if refs is None:
            refs = self._remember(key, stamp, await self.store.search.starters(guild_id))
        return [Match(kind, entry_id, matching.EXACT) for kind, entry_id in refs if kind in kinds]

    async def labels(self, matches: Sequence[Match], guild_id: int | None) -> list[Label]:
        stamp = self._stamp(guild_id)
        labels = {m: self._cached(("label", m.kind, m.id, guild_id), stamp) for m in matches}
        missing = [(m.kind, m.id) for m, label in labels.items() if label is None]
        if missing:
            found = await self.store.search.labels(missing, guild_id)
            for m in labels:
                if labels[m] is None and (m.kind, m.id) in found:
                    labels[m] = self._remember(("label", m.kind, m.id, guild_id), stamp, found[(m.kind, m.id)])
        return [label for label in labels.values() if label is not None]

    # -- entries --------------------------------------------------------------------------

    async def _sees(self, kind: str, entry_id: int, guild_id: int | None) -> bool:
        index = await self._usable_names(guild_id)
        if index is None:
            return bool(await self.store.search.visible_ids(kind, [entry_id], guild_id))
        return index.sees(kind, entry_id, guild_id)

    async def _entry(self, kind: str, entry_id: int, guild_id: int | None,
                     load: Callable[[], Awaitable[T | bool]]) -> T | None:
        """A hydrated entry (cached per catalog generation), or None when this server can't see it."""
        if not await self._sees(kind, entry_id, guild_id):
            return None
        key, stamp = (kind, entry_id, guild_id), self._stamp(guild_id)
        found = self._cached(key, stamp)
        if found is None:
            found = self._remember(key, stamp, await load())
        entry: T | None = found or None   # False: not found, remembered as such
        return entry

    async def song(self, song_id: int, guild_id: int | None) -> Song | None:
        """A song for its card: its drama is an outline (names, year, network; no facts, sources,
        actor entries or song count, which a song card does not show)."""
        async def load() -> Song | bool:
            songs = await self.store.catalog.song_cards_by_ids([song_id], guild_id)
            return songs[0] if songs else False
        return await self._entry("song", song_id, guild_id, load)

    async def drama(self, drama_id: int, guild_id: int | None) -> tuple[Drama, list[Song]] | None:
        async def load() -> tuple[Drama, list[Song]] | bool:
            return await self.store.catalog.drama_with_songs(drama_id, guild_id) or False
        return await self._entry("drama", drama_id, guild_id, load)

    async def artist(self, artist_id: int, guild_id: int | None) -> tuple[Artist, list[Song]] | None:
        async def load() -> tuple[Artist, list[Song]] | bool:
            return await self.store.catalog.artist_with_songs(artist_id, guild_id) or False
        return await self._entry("artist", artist_id, guild_id, load)

    async def actor(self, actor_id: int, guild_id: int | None
                    ) -> tuple[Actor, list[tuple[Drama, list[Song]]]] | None:
        """An actor and the dramas they lead that this server sees, each with its songs."""
        async def load() -> tuple[Actor, list[tuple[Drama, list[Song]]]] | bool:
            actors = await self.store.catalog.actors_by_ids([actor_id])
            if not actors:
                return False
            dramas = []
            for drama_id in actors[0].dramas:
                found = await self.drama(drama_id, guild_id)
                if found is not None:
                    dramas.append(found)
            return actors[0], dramas
        return await self._entry("actor", actor_id, guild_id, load)

    # -- /random --------------------------------------------------------------------------

    async def tags(self, guild_id: int | None) -> list[tuple[str, str, int]]:
        key, stamp = ("tags", guild_id), self._stamp(guild_id)
        found = self._cached(key, stamp)
        if found is None:
            found = self._remember(key, stamp, await self.store.search.tags(guild_id))
        tags: list[tuple[str, str, int]] = found
        return tags

    async def find_tag(self, text: str, guild_id: int | None) -> str | None:
        """The catalog tag a user meant ("Piano Ballad" -> "piano ballad"), or None."""
        wanted = compact(text)
        tags = await self.tags(guild_id)
        for _, tag, _ in tags:
            if compact(tag) == wanted:
                return tag
        # A common word for a mood ("sad", "calm", 설렘) stands for the catalog's tags of that mood.
        group = moods.mood_group(text)
        if group and moods.tags_for(group, {tag for _, tag, _ in tags}):
            return group
        return None

    async def pool(self, guild_id: int | None, filters: RandomFilters) -> Sequence[int]:
        key, stamp = ("pool", guild_id, filters.key), self._stamp(guild_id)
        found = self._cached(key, stamp)
        if found is None:
            tags: tuple[str | None, ...] = (None,)
            if filters.mood is not None:
                tags = moods.tags_for(filters.mood, {tag for _, tag, _ in await self.tags(guild_id)}) or (filters.mood,)
            ids: set[int] = set()
            for tag in tags:  # a mood word: the union of its tags' pools, in id order
                ids.update(await self.store.search.pool(
                    guild_id, drama_id=filters.drama_id, artist_id=filters.artist_id, tag=tag,
                    ballads_only=filters.ballads_only))
            found = self._remember(key, stamp, sorted(ids))
        pool: Sequence[int] = found
        return pool

    async def draw(self, channel_id: int, guild_id: int | None, filters: RandomFilters) -> Song | None:
        """A song from the filtered pool that this channel has not had since the bag refilled."""
        for _ in range(3):
            pool = await self.pool(guild_id, filters)
            song_id = self.bags.draw((channel_id, guild_id, filters.key), pool,
                                     version=(*self._stamp(guild_id), len(pool)))
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

