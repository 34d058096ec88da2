"""Seeding: idempotent, and a newer catalog updates shipped entries without touching server data."""

from __future__ import annotations

import pytest

from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog, parse_catalog, shipped_catalog_path

pytestmark = pytest.mark.both_engines


async def test_seeding_twice_changes_nothing(store):
    before = await store.content_hash()
    report = await store.catalog.seed(load_catalog())
    assert report.changed is False
    assert await store.content_hash() == before
    # Even a forced re-seed duplicates nothing: same rows per table, same songs, same ids.
    tables = await store.tables()  # every table of ours, not the search index's internals

    async def row_counts():
        return {t: await store.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}

    counts, songs = await row_counts(), await store.catalog.export_records()
    ids = await store.catalog.visible_song_ids(None)
    forced = await store.catalog.seed(load_catalog(), force=True)
    assert forced.changed is True and forced.songs == 19
    assert await row_counts() == counts
    assert await store.catalog.export_records() == songs
    assert await store.catalog.visible_song_ids(None) == ids


async def test_counts_of_the_shipped_catalog(store):
    counts = await store.catalog.counts()
    assert (counts.songs, counts.dramas, counts.artists, counts.sources) == (19, 11, 28, 3)
    assert await store.integrity_check() == "ok"


async def test_newer_catalog_updates_shipped_entries_and_keeps_server_data(store):
    guild = 4242
    await store.catalog.import_records(
        [SongRecord(title="Our Own Song", artists=["Ailee"], drama="Goblin", description="Added by a server.")],
        guild_id=guild, origin="guild", added_by=7)
    that_woman = await store.catalog.song_by_key("that-woman")
    async with store.transaction() as tx:
        await tx.execute("INSERT INTO hidden_songs (guild_id, song_id) VALUES (?, ?)", (guild, that_woman.id))
    await store.guilds.update(guild, quiz_rounds=9, language="ko")

    text = shipped_catalog_path().read_text(encoding="utf-8")
    newer = text.replace("version = 1", "version = 2", 1)
    newer = newer.replace('title = "That Woman"', 'title = "That Woman (Remastered)"')
    report = await store.catalog.seed(parse_catalog(newer))
    assert report.changed and report.removed == 0

    updated = await store.catalog.song_by_key("that-woman")
    assert updated.id == that_woman.id and updated.title == "That Woman (Remastered)"
    assert await store.meta.get("catalog_version") == "2"
    own = await store.catalog.export_records(guild)
    assert [r.title for r in own] == ["Our Own Song"]
    assert that_woman.id not in await store.catalog.visible_song_ids(guild)
    assert that_woman.id in await store.catalog.visible_song_ids(None)
    settings = await store.guilds.get(guild)
    assert (settings.quiz_rounds, settings.language) == (9, "ko")


async def test_a_song_dropped_from_the_file_goes_but_server_songs_stay(store):
    text = shipped_catalog_path().read_text(encoding="utf-8")
    await store.catalog.import_records(
        [SongRecord(title="Fan Favourite", artists=["Gummy"], drama="Descendants of the Sun")],
        guild_id=1, origin="guild")
    start = text.index('key = "talk-love"')
    block_start = text.rindex("[[songs]]", 0, start)
    block_end = text.find("\n[[songs]]", start)
    trimmed = text[:block_start] + (text[block_end + 1:] if block_end != -1 else "")
    report = await store.catalog.seed(parse_catalog(trimmed))
    assert report.removed == 1
    assert await store.catalog.song_by_key("talk-love") is None
    assert (await store.catalog.counts(1)).guild_songs == 1
    assert await store.integrity_check() == "ok"


async def test_full_text_index_in_step_with_the_tables(store):
    async def found(*words: str, guild: int | None = None) -> list[str]:
        return sorted(m.name for m in await store.search.fts_songs(list(words), guild))

    assert await found("guardian") == ["I Will Go to You Like the First Snow", "Stay with Me"]
    assert len(await found("도깨비")) == 2
    assert len(await found("exo")) == 3  # Stay with Me (Chanyeol), For You (EXO-CBX), Everytime (Chen)
    await store.catalog.import_records(
        [SongRecord(title="Snowfall", artists=["Ailee"], drama="Goblin")], guild_id=5, origin="guild")
    assert await found("snowfall", guild=5) == ["Snowfall"]
    assert await found("snowfall") == []  # another server's song
    indexed = await store.fetchval("SELECT count(*) FROM song_search")
    assert indexed == await store.fetchval("SELECT count(*) FROM songs")


async def test_drama_by_either_name_has_all_its_songs(store):
    ids = {r[0] for r in await store.fetch(
        "SELECT DISTINCT drama_id FROM drama_names WHERE norm IN (?, ?)", ("goblin", "guardianthelonelyandgreatgod"))}
    assert len(ids) == 1
    drama_id = ids.pop()
    drama, songs = await store.catalog.drama_with_songs(drama_id, None)
    assert len(songs) == 2
    # A drama card reads the drama once; its songs carry it, as the same songs read one by one do.
    assert {s.drama for s in songs} == {drama}
    assert [s.drama for s in await store.catalog.songs_by_ids([s.id for s in songs])] == [drama, drama]
