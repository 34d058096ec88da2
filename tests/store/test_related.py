"""Recommendation candidates: same drama and same singers first, then songs sharing tags,
read from a bounded sample per tag however common the tag is."""

from __future__ import annotations

import pytest

from bot.catalog.records import SongRecord
from bot.store.search_repo import TAG_SAMPLE

pytestmark = pytest.mark.both_engines


async def test_near_songs_come_first_and_common_tags_stay_bounded(store):
    goblin = (await store.fetch(
        "SELECT s.id FROM songs s JOIN dramas d ON d.id = s.drama_id WHERE d.name = 'Goblin' "
        "ORDER BY s.id"))
    target = goblin[0][0]
    siblings = {row[0] for row in goblin[1:]}
    assert siblings
    mood = (await store.fetch("SELECT tag FROM song_tags WHERE song_id = ? AND kind = 'mood'", (target,)))[0][0]
    # Many unrelated songs sharing that mood: more than one tag sample holds.
    await store.catalog.import_records([
        SongRecord(key=f"filler-{n}", title=f"Filler {n}", artists=[f"Singer {n}"], drama=f"Drama {n}",
                   moods=[mood]) for n in range(TAG_SAMPLE * 2)])
    related = await store.search.related_song_ids([target], None, limit=20)
    assert target not in related
    assert set(related[:len(siblings)]) == siblings
    sharing = {r[0] for r in await store.fetch(
        "SELECT t.song_id FROM song_tags t JOIN song_tags b ON b.kind = t.kind AND b.tag = t.tag "
        "WHERE b.song_id = ?", (target,))}
    assert set(related[len(siblings):]) <= sharing and len(related) == 20
    fillers = {r[0] for r in await store.fetch("SELECT id FROM songs WHERE key LIKE 'filler-%'")}
    everything = set(await store.search.related_song_ids([target], None, limit=10_000))
    assert 0 < len(everything & fillers) <= TAG_SAMPLE
