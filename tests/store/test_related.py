"""Recommendation candidates: same drama and same singers first, then songs sharing tags,
read from a bounded sample per tag however common the tag is."""

from __future__ import annotations

import pytest

from bot.catalog.records import SongRecord
from bot.store.search_repo import TAG_SAMPLE

pytestmark = pytest.mark.both_engines


async def test_near_songs_come_first_and_common_tags_stay_bounded(store):
    drama = (await store.catalog.song_by_key("stay-with-me")).drama
    assert drama.name == "Goblin"
    goblin = sorted(song.id for song in (await store.catalog.drama_with_songs(drama.id, None))[1])
    target = goblin[0]
    siblings = set(goblin[1:])
    assert siblings
    mood = (await store.catalog.songs_by_ids([target]))[0].moods[0]
    before = set(await store.catalog.visible_song_ids(None))
    # Many unrelated songs sharing that mood: more than one tag sample holds.
    await store.catalog.import_records([
        SongRecord(key=f"filler-{n}", title=f"Filler {n}", artists=[f"Singer {n}"], drama=f"Drama {n}",
                   moods=[mood]) for n in range(TAG_SAMPLE * 2)])
    related = await store.search.related_song_ids([target], None, limit=20)
    assert target not in related
    assert set(related[:len(siblings)]) == siblings
    # every song sharing a tag with the target: no store method lists songs by tag
    sharing = {r[0] for r in await store.fetch(
        "SELECT t.song_id FROM song_tags t JOIN song_tags b ON b.kind = t.kind AND b.tag = t.tag "
        "WHERE b.song_id = ?", (target,))}
    assert set(related[len(siblings):]) <= sharing and len(related) == 20
    fillers = set(await store.catalog.visible_song_ids(None)) - before
    everything = set(await store.search.related_song_ids([target], None, limit=10_000))
    assert 0 < len(everything & fillers) <= TAG_SAMPLE
