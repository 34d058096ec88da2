"""store.additions: a server's songs and the shipped songs it hides."""

from __future__ import annotations

import pytest

from bot.catalog.records import SongRecord

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 111, 222


async def add(store, title: str, drama: str, *artists: str, guild: int = GUILD) -> int:
    report = await store.catalog.import_records([SongRecord(title=title, artists=list(artists), drama=drama)],
                                                guild_id=guild, origin="guild", added_by=5)
    return report.song_ids[0]


async def test_remove_an_addition_drops_its_own_drama_and_artist_but_not_shared_ones(store):
    song = await add(store, "Winter Letter", "Snow Road", "Han Seoyun", "Punch")
    keep = await add(store, "Other Song", "Snow Road", "Someone")
    generation = store.catalog.generation
    assert await store.additions.remove_addition(OTHER, song) is False  # not theirs
    assert await store.additions.remove_addition(GUILD, song) is True
    assert store.catalog.generation == generation + 1
    assert [line.title for line in await store.additions.additions(GUILD)] == ["Other Song"]
    export = await store.catalog.export_records(GUILD)
    assert [(r.title, r.drama) for r in export] == [("Other Song", "Snow Road")]  # the drama stays: still used
    # Han Seoyun was only on the removed song; Punch is a shipped artist and stays.
    counts = await store.catalog.counts(GUILD)
    assert counts.guild_songs == 1
    assert keep in await store.catalog.visible_song_ids(GUILD)
    await store.additions.remove_addition(GUILD, keep)
    assert await store.catalog.counts(GUILD) == await store.catalog.counts(None)  # nothing of ours is left


async def test_hide_only_shipped_songs_and_only_here(store):
    shipped = (await store.catalog.visible_song_ids(None))[0]
    own = await add(store, "Winter Letter", "Snow Road", "Han Seoyun")
    assert await store.additions.hide(GUILD, own) is False
    assert await store.additions.hide(GUILD, shipped) is True
    assert await store.additions.hide(GUILD, shipped) is False
    assert shipped not in await store.catalog.visible_song_ids(GUILD)
    assert shipped in await store.catalog.visible_song_ids(OTHER)
    assert [line.id for line in await store.additions.hidden(GUILD)] == [shipped]
    assert shipped not in [line.id for line in await store.additions.shipped_visible(GUILD, "", 100)]
    assert await store.additions.unhide(GUILD, shipped) is True
    assert shipped in await store.catalog.visible_song_ids(GUILD)


async def test_search_lines_match_titles_and_dramas(store):
    await add(store, "Winter Letter", "Snow Road", "Han Seoyun")
    assert [line.title for line in await store.additions.additions(GUILD, "snow")] == ["Winter Letter"]
    assert [line.title for line in await store.additions.additions(GUILD, "letter")] == ["Winter Letter"]
    assert await store.additions.additions(GUILD, "nothing like it") == []
    assert await store.additions.additions(OTHER) == []
