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
    # every table of ours, not the search index's internals
    counts, songs = await store.table_counts(), await store.catalog.export_records()
    ids = await store.catalog.visible_song_ids(None)
    forced = await store.catalog.seed(load_catalog(), force=True)
    assert forced.changed is True and forced.songs == 19
    assert await store.table_counts() == counts
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
    assert await store.additions.hide(guild, that_woman.id)
    await store.guilds.update(guild, quiz_rounds=9, language="ko")

    text = shipped_catalog_path().read_text(encoding="utf-8")
    current = parse_catalog(text).version
    newer = text.replace(f"version = {current}", f"version = {current + 1}", 1)
    newer = newer.replace('title = "That Woman"', 'title = "That Woman (Remastered)"')
    report = await store.catalog.seed(parse_catalog(newer))
    assert report.changed and report.removed == 0

    updated = await store.catalog.song_by_key("that-woman")
    assert updated.id == that_woman.id and updated.title == "That Woman (Remastered)"
    assert await store.meta.get("catalog_version") == str(current + 1)
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
    indexed = await store.fetchval("SELECT count(*) FROM song_search")  # the index: no table_counts row
    assert indexed == (await store.table_counts())["songs"]


async def test_drama_by_either_name_has_all_its_songs(store):
    # the drama each stored name belongs to: no store method maps a name to its drama without ranking
    ids = {r[0] for r in await store.fetch(
        "SELECT DISTINCT drama_id FROM drama_names WHERE norm IN (?, ?)", ("goblin", "guardianthelonelyandgreatgod"))}
    assert len(ids) == 1
    drama_id = ids.pop()
    drama, songs = await store.catalog.drama_with_songs(drama_id, None)
    assert len(songs) == 2
    # A drama card reads the drama once; its songs carry it, as the same songs read one by one do.
    assert {s.drama for s in songs} == {drama}
    assert [s.drama for s in await store.catalog.songs_by_ids([s.id for s in songs])] == [drama, drama]


async def test_every_field_of_the_seed_file_reaches_the_store(store):
    """Each typed seed entry's fields (read as attributes by the seeding) come back from the store's reads."""
    catalog = load_catalog()
    sources = {s.key: s for s in await store.catalog.sources()}
    assert sorted(sources) == sorted(s.key for s in catalog.sources)
    for s in catalog.sources:
        got = sources[s.key]
        assert (got.title, got.publisher, got.author, got.note, got.about, got.about_ko) == (
            s.title, s.publisher, s.author, s.note, s.about, s.about_ko)
        assert got.date == (str(s.date) if s.date else None)

    def facts(entry) -> list[tuple[str, str, str | None, str]]:
        return [(f.kind, f.text, f.text_ko, f.source.key) for f in entry.facts]

    seed_facts = {e.key: [(f.kind, f.text, f.text_ko, f.source) for f in e.facts]
                  for e in (*catalog.dramas, *catalog.artists, *catalog.songs)}
    seed_artists = {a.key: a for a in catalog.artists}
    seed_dramas = {d.key: d for d in catalog.dramas}
    actor_names = {name: a for a in catalog.actors for name in (a.name, *a.names)}
    for s in catalog.songs:
        song = await store.catalog.song_by_key(s.key)
        assert song is not None
        assert (song.title, song.hangul, song.year, song.episode, song.description, song.description_ko,
                song.is_ballad) == (s.title, s.hangul, s.year, s.episode, s.description, s.description_ko, s.ballad)
        assert song.alt_titles == s.titles
        assert song.release_date == (str(s.release_date) if s.release_date else None)
        assert (song.styles, song.moods) == (s.styles, s.moods)
        assert [(c.key, c.role) for c in song.credits] == [(c.artist, c.role) for c in s.artists]
        assert facts(song) == seed_facts[s.key]
        assert sorted(src.key for src in song.sources) == sorted(s.sources)

        d, drama = seed_dramas[s.drama], song.drama
        assert (drama.key, drama.name, drama.hangul, drama.alt_names, drama.year, drama.network, drama.kind,
                drama.lead_actors) == (d.key, d.name, d.hangul, d.names, d.year, d.network, d.kind, d.lead_actors)
        assert facts(drama) == seed_facts[d.key]
        assert sorted(src.key for src in drama.sources) == sorted(d.sources)
        # The lead actors the catalog knows, in billing order, with their Hangul and other names.
        leads = [actor_names[n] for n in d.lead_actors if n in actor_names]
        assert [(a.key, a.name, a.hangul, a.alt_names) for a in drama.actors] == [
            (a.key, a.name, a.hangul, a.names) for a in leads]

        for credit, artist in zip(s.artists, await store.catalog.artists_by_ids([c.artist_id for c in song.credits]),
                                  strict=True):
            a = seed_artists[credit.artist]
            assert (artist.key, artist.name, artist.hangul, artist.kind, artist.alt_names) == (
                a.key, a.name, a.hangul, a.kind, a.names)
            assert sorted(artist.groups) == sorted(seed_artists[g].name for g in a.groups)
            assert facts(artist) == seed_facts[a.key]
            assert sorted(src.key for src in artist.sources) == sorted(a.sources)


async def test_a_database_seeded_with_an_older_catalog_gets_the_korean_titles_and_supported_tags(store):
    """The catalog's new fields need no migration: a changed seed file reaches an existing database at
    the next start (forward only), and nothing a server holds is lost."""
    text = shipped_catalog_path().read_text(encoding="utf-8")
    older = (text.replace('hangul = "다시 너를"\n', "")
             .replace('moods = ["emotional"]\nmood_support = [\n'
                      '  { mood = "emotional", source = "kraze-throwback-ballads", quote = "Baek Jiyoung’s vocals have '
                      'an emotional quality that leaves a long-lasting impression" },\n]',
                      'moods = ["emotional", "heartbreak"]')
             .replace('names = ["DOTS", "태후"]', 'names = ["DOTS"]'))
    await store.catalog.seed(parse_catalog(older), force=True)
    await store.catalog.import_records(
        [SongRecord(title="Our Own Song", artists=["Ailee"], drama="Goblin", description="Added by a server.")],
        guild_id=77, origin="guild", added_by=7)
    once_again = await store.catalog.song_by_key("once-again")
    assert once_again.hangul is None and not await store.search.names("다시너를", None)
    assert (await store.catalog.song_by_key("that-woman")).moods == ("emotional", "heartbreak")
    [old_card] = await store.catalog.song_cards_by_ids([once_again.id])

    assert (await store.catalog.seed(load_catalog())).changed
    assert [m.id for m in await store.search.names("다시너를", None)] == [once_again.id]
    assert await store.search.names("태후", None, kinds=("drama",))
    that_woman = await store.catalog.song_by_key("that-woman")
    assert that_woman.moods == ("emotional",)
    [card] = await store.catalog.song_cards_by_ids([once_again.id])
    assert card.hangul == "다시 너를" and old_card.hangul is None  # the kept card is not shown stale
    assert [r.title for r in await store.catalog.export_records(77)] == ["Our Own Song"]
