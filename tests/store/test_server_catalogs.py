"""One server's catalog writes never make the others wait: the shared name index is built for the
shared catalog alone, each server's own entries have a small index of their own, and a server's
write drops that server's caches only (in this process and, through `catalog_guild_changes`, in
every other). The song limit holds inside the write's transaction. Both engines."""

from __future__ import annotations

import asyncio

import pytest

from bot.catalog.limits import ServerSongLimit
from bot.catalog.records import SongRecord
from bot.catalog.service import CatalogService

pytestmark = pytest.mark.both_engines

A, B = 701, 702


def song(title: str, drama: str = "Goblin") -> SongRecord:
    return SongRecord(title=title, artists=["Crush"], drama=drama)


def counting_builds(store) -> list[str]:
    """Records every name-index build from now on: 'shared', or the server's id."""
    builds: list[str] = []
    shared, own = store.search.build_name_index, store.search.build_server_names

    async def shared_build(build):
        builds.append("shared")
        return await shared(build)

    async def own_build(guild_id, build):
        builds.append(str(guild_id))
        return await own(guild_id, build)

    store.search.build_name_index, store.search.build_server_names = shared_build, own_build
    return builds


async def names(service: CatalogService, query: str, guild_id: int | None) -> list[str]:
    return [m.name for m in await service.search(query, guild_id)]


async def test_a_server_write_rebuilds_nothing_of_the_other_servers(store):
    service = CatalogService(store)
    builds = counting_builds(store)
    assert "Goblin" in await names(service, "goblin", B)
    assert "Goblin" in await names(service, "gobiln", B)  # a typo: the in-memory index answered
    assert builds == ["shared", str(B)]
    b_answer = await service.search("stay with me", B)

    for n in range(3):  # A adds songs and hides a shipped one
        await store.catalog.import_records([song(f"Noisy Song {n}")], guild_id=A, origin="guild")
    stay = (await service.resolve("stay with me", None, ("song",)))[0].id
    await store.additions.hide(A, stay)

    assert await service.search("stay with me", B) is not b_answer  # a fresh list, same content...
    assert await service.search("stay with me", B) == b_answer
    assert builds == ["shared", str(B)]  # ...from B's caches and indexes, none built again
    assert "Noisy Song 2" not in await names(service, "noisy song", B)
    assert "Noisy Song 2" in await names(service, "noisy song", A)
    assert stay not in [m.id for m in await service.search("stay with me", A)]
    assert builds == ["shared", str(B), str(A)]  # A's own small index, once, for all four writes


async def test_another_process_drops_only_the_writing_servers_caches(two_stores):
    here, there = two_stores
    service = CatalogService(here)
    builds = counting_builds(here)
    assert await names(service, "later song", A) == [] and await names(service, "later song", B) == []
    await there.catalog.import_records([song("Later Song")], guild_id=A, origin="guild")
    await here.refresh(force=True)
    assert await names(service, "later song", A) == ["Later Song"]
    assert await names(service, "later song", B) == []
    assert builds == ["shared", str(A), str(B), str(A)]  # A's index again; the shared one and B's kept


async def test_a_shared_catalog_change_is_rebuilt_off_the_look_up_path(store, monkeypatch):
    """`ostbot db import`: the shared index is built again in the background; look-ups meanwhile
    read the catalog as it is now through the SQL tiers (no typo matching), nobody waits."""
    service = CatalogService(store)
    await service.index()
    release = asyncio.Event()
    real = store.search.build_name_index

    async def slow(build):
        await release.wait()
        return await real(build)

    monkeypatch.setattr(store.search, "build_name_index", slow)
    await store.catalog.import_records([song("Fresh Shared Song")])
    assert await names(service, "fresh shared song", B) == ["Fresh Shared Song"]  # the SQL tiers: current
    assert await names(service, "fresh sharde song", B) == []                      # typos wait for the index
    release.set()
    await service.index()
    assert await names(service, "fresh sharde song", B) == ["Fresh Shared Song"]


async def test_the_song_limit_refuses_a_whole_import_that_would_pass_it(store):
    store.catalog.max_server_songs = 3
    await store.catalog.import_records([song("One"), song("Two")], guild_id=A, origin="guild")
    before = await store.content_hash()
    with pytest.raises(ServerSongLimit) as refused:
        await store.catalog.import_records([song("Three"), song("Four")], guild_id=A, origin="guild")
    assert (refused.value.limit, refused.value.songs, refused.value.adding) == (3, 2, 2)
    assert await store.content_hash() == before  # all or nothing
    # Updating songs it has adds none; another server has its own allowance; the shared catalog none.
    await store.catalog.import_records([song("One"), song("Two"), song("Three")], guild_id=A, origin="guild")
    await store.catalog.import_records([song("One"), song("Two"), song("Three")], guild_id=B, origin="guild")
    await store.catalog.import_records([song(f"Shared {n}") for n in range(5)])
    assert (await store.catalog.counts(A)).guild_songs == 3


async def test_a_server_write_drops_only_its_songs_card_documents(store):
    await store.catalog.import_records([song("Card Song")], guild_id=A, origin="guild")
    await store.catalog.build_card_docs()
    current, songs = await store.catalog.card_docs_counts()
    assert current == songs
    report = await store.catalog.import_records([song("Card Song", "Snow Road"), song("Card Song")],
                                                guild_id=A, origin="guild")
    assert await store.catalog.card_docs_counts() == (songs - 1, songs + 1)  # its two songs, no other
    assert await store.catalog.build_card_docs() == 2
    [card] = await store.catalog.song_cards_by_ids([report.song_ids[0]], A)
    assert card.drama.name == "Snow Road"
