"""store.catalog.add_fetched: a fetch from MusicBrainz added in one transaction, linking what is there."""

from __future__ import annotations

import pytest

from bot.catalog.fetched import plan_fetch
from bot.store import fetched_repo

from ..fetch_helpers import (
    CHANYEOL,
    COVER1,
    COVER2,
    NEW_SINGER,
    PART1,
    PART2,
    PUNCH,
    big_release,
    goblin_part1,
    release,
    track,
)

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 111, 222


async def shipped_id(store, key: str) -> int:
    song = await store.catalog.song_by_key(key)
    assert song is not None
    return song.id


async def test_a_shared_fetch_links_the_shipped_song_and_adds_the_new_one(store):
    stay = await shipped_id(store, "stay-with-me")
    generation = store.catalog.generation
    before = await store.catalog.counts()
    result = await store.catalog.add_fetched(plan_fetch([goblin_part1()]))
    assert [(s.title, s.drama) for s in result.added] == [("Winter Letter", "Goblin")]  # the catalog's name
    assert [s.id for s in result.linked] == [stay]                 # "Stay With Me" by 찬열 & 펀치: the shipped song
    assert [x.reason for x in result.left_out] == ["fetch.left.instrumental"]
    assert result.new_dramas == ()                                  # 도깨비 is Goblin's Hangul name
    assert result.new_singers == ("Han Seoyun",)
    assert store.catalog.generation == generation + 1               # caches everywhere follow
    after = await store.catalog.counts()
    assert (after.songs, after.dramas, after.artists) == (before.songs + 1, before.dramas, before.artists + 1)

    linked = (await store.catalog.songs_by_ids([stay]))[0]
    assert linked.cover_url == COVER1 and linked.recording_mbid == "a0000000-0000-4000-8000-000000000001"
    assert any(s.url == f"https://musicbrainz.org/release/{PART1}" for s in linked.sources)
    assert linked.description                                       # the shipped text is kept

    new = (await store.catalog.songs_by_ids([result.added[0].id]))[0]
    assert (new.title, new.hangul, new.drama.name, new.year, new.release_date) == (
        "Winter Letter", "겨울 편지", "Goblin", 2016, "2016-12-03")
    assert [(c.name, c.hangul) for c in new.credits] == [("Han Seoyun", "한서윤")]
    assert new.cover_url == COVER1 and new.guild_id is None
    assert [s.publisher for s in new.sources] == ["MusicBrainz"] and new.facts == ()
    assert new.drama.cover_url == COVER1                            # Goblin had no cover: its first part's


async def test_the_search_index_knows_fetched_songs_at_once_by_either_title_and_singer_name(store):
    result = await store.catalog.add_fetched(plan_fetch([goblin_part1()]))
    song_id = result.added[0].id
    for words in (["겨울", "편지"], ["winter", "letter"], ["한서윤"], ["han", "seoyun"], ["goblin", "winter"]):
        assert song_id in [m.id for m in await store.search.fts_songs(words, None)], words
    assert [m.id for m in await store.search.names("winterletter", None, kinds=("song",))] == [song_id]


async def test_fetching_again_links_everything_and_adds_nothing(store):
    await store.catalog.add_fetched(plan_fetch([goblin_part1()]))
    before = await store.catalog.counts()
    again = await store.catalog.add_fetched(plan_fetch([goblin_part1()]))
    assert again.added == () and len(again.linked) == 2
    assert await store.catalog.counts() == before


async def test_a_server_fetch_adds_its_own_songs_and_leaves_shared_ones_untouched(store):
    stay = await shipped_id(store, "stay-with-me")
    result = await store.catalog.add_fetched(plan_fetch([goblin_part1()]), guild_id=GUILD, origin="guild",
                                             added_by=5)
    assert [s.id for s in result.linked] == [stay]
    shipped = (await store.catalog.songs_by_ids([stay]))[0]
    assert shipped.cover_url is None and shipped.recording_mbid is None      # one server changes no shared row
    new_id = result.added[0].id
    assert new_id in await store.catalog.visible_song_ids(GUILD)
    assert new_id not in await store.catalog.visible_song_ids(OTHER)
    assert [r.title for r in await store.catalog.export_records(GUILD)] == ["Winter Letter"]
    # Its second fetch links its own song (by the recording) instead of adding it again.
    again = await store.catalog.add_fetched(plan_fetch([goblin_part1()]), guild_id=GUILD, origin="guild")
    assert again.added == () and {s.id for s in again.linked} == {stay, new_id}
    # Another server adds its own copy: a server's songs are its own.
    other = await store.catalog.add_fetched(plan_fetch([goblin_part1()]), guild_id=OTHER, origin="guild")
    assert [s.title for s in other.added] == ["Winter Letter"] and other.added[0].id != new_id


async def test_a_known_singer_is_matched_by_a_latin_alias_and_a_title_by_its_hangul_name(store):
    # "첫눈처럼 너에게 가겠다" is the shipped song's Hangul title; 에일리's alias is Ailee.
    ailee = type(CHANYEOL)("에일리", ("Ailee",))
    result = await store.catalog.add_fetched(plan_fetch([release(
        PART2, track("첫눈처럼 너에게 가겠다", ailee, n=1), title="도깨비 OST Part 9", cover=COVER2)]))
    assert result.added == () and [s.title for s in result.linked] == ["I Will Go to You Like the First Snow"]
    assert result.new_singers == ()


async def test_the_drama_shows_the_cover_of_its_earliest_part(store):
    later = release(PART2, track("두 번째 노래", NEW_SINGER, n=1), title="새 드라마 OST Part 2", drama="새 드라마",
                    date="2020-02-01", cover=COVER2)
    earlier = release(PART1, track("첫 번째 노래", NEW_SINGER, n=1), title="새 드라마 OST Part 1", drama="새 드라마",
                      date="2020-01-01", cover=COVER1)
    first = await store.catalog.add_fetched(plan_fetch([later]))
    assert first.new_dramas == ("새 드라마",)
    drama_id = (await store.catalog.songs_by_ids([first.added[0].id]))[0].drama.id
    assert (await store.catalog.dramas_by_ids([drama_id]))[0].cover_url == COVER2
    await store.catalog.add_fetched(plan_fetch([earlier]))
    drama = (await store.catalog.dramas_by_ids([drama_id]))[0]
    assert drama.cover_url == COVER1 and drama.song_count == 2
    assert {s.url for s in drama.sources} == {f"https://musicbrainz.org/release/{m}" for m in (PART1, PART2)}


async def test_a_fault_in_the_middle_leaves_nothing_written(store, monkeypatch):
    before = await store.catalog.counts()
    sources = len(await store.catalog.sources())
    generation = store.catalog.generation

    async def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(fetched_repo, "_link", broken)    # after the songs, singers and drama were inserted
    with pytest.raises(RuntimeError):
        await store.catalog.add_fetched(plan_fetch([big_release(30)]))
    assert await store.catalog.counts() == before
    assert len(await store.catalog.sources()) == sources
    assert store.catalog.generation == generation


async def test_a_hundred_track_fetch_adds_a_hundred_songs_and_says_where_it_stopped(store):
    before = await store.catalog.counts()
    result = await store.catalog.add_fetched(plan_fetch([big_release(130)]))
    assert len(result.added) == 100 and result.capped
    assert [x.reason for x in result.left_out] == ["fetch.left.limit"] * 30
    assert (await store.catalog.counts()).songs == before.songs + 100
    assert result.new_singers == ("Han Seoyun",) and result.new_dramas == ("긴 드라마",)


async def test_two_singers_on_one_track_are_both_credited(store):
    result = await store.catalog.add_fetched(plan_fetch([release(
        PART2, track("새벽", NEW_SINGER, PUNCH, n=1), title="새벽 OST", drama="새벽")]))
    song = (await store.catalog.songs_by_ids([result.added[0].id]))[0]
    assert [(c.name, c.role) for c in song.credits] == [("Han Seoyun", "main"), ("Punch", "duet")]


async def test_a_dry_run_tells_what_would_happen_and_writes_nothing(store):
    before = await store.content_hash()
    generation = store.catalog.generation
    result = await store.catalog.add_fetched(plan_fetch([goblin_part1()]), dry_run=True)
    assert [s.title for s in result.added] == ["Winter Letter"] and len(result.linked) == 1
    assert await store.content_hash() == before and store.catalog.generation == generation


async def test_an_exported_fetched_song_imported_again_keeps_its_cover_and_recordings(store):
    """`/catalog export` gives a file `/catalog import` takes back: for a fetched song that includes its
    cover and recordings (the card's thumbnail and MusicBrainz link). An import without them leaves a
    song's cover as it is."""
    from bot.catalog.recordfiles import parse_records, records_to_csv

    result = await store.catalog.add_fetched(plan_fetch([goblin_part1()]), guild_id=GUILD, origin="guild")
    [fetched] = await store.catalog.songs_by_ids([result.added[0].id])
    exported = records_to_csv(await store.catalog.export_records(GUILD))
    assert "cover_url,recordings" in exported.splitlines()[0]
    records, problems = parse_records(exported.encode(), "songs.csv")
    assert problems == []
    await store.catalog.import_records(records, guild_id=OTHER, origin="guild")
    [copy] = await store.catalog.export_records(OTHER)
    assert (copy.cover_url, copy.recordings) == (COVER1, [fetched.recording_mbid])
    shared = set(await store.catalog.visible_song_ids(None))
    own = [i for i in await store.catalog.visible_song_ids(OTHER) if i not in shared]
    [song] = await store.catalog.songs_by_ids(own)
    assert (song.cover_url, song.recording_mbid) == (COVER1, fetched.recording_mbid)
    # By hand, without the two columns (the same song, by its key): it keeps its cover and recordings.
    bare, problems = parse_records(f"key,title,artists,drama\n{copy.key},Winter Letter,Han Seoyun,Goblin\n".encode(),
                                   "songs.csv")
    assert problems == []
    await store.catalog.import_records(bare, guild_id=OTHER, origin="guild")
    [again] = await store.catalog.export_records(OTHER)
    assert (again.cover_url, again.recordings) == (COVER1, [fetched.recording_mbid])
