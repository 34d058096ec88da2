"""store.daily: the song of the day's claims, posts and history; the server's handled date and error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.both_engines

GUILD, OTHER = 111, 222


async def test_claim_daily_once_per_day_and_failures(store):
    await store.guilds.update(GUILD, daily_channel_id=9, daily_hour=8)
    song = (await store.catalog.visible_song_ids(GUILD))[0]
    assert await store.daily.claim(GUILD, "2026-01-01", song, 9) == ""
    assert await store.daily.claim(GUILD, "2026-01-01", song, 9) is None
    await store.daily.finish(GUILD, "2026-01-01", 1234)
    assert await store.daily.posts(GUILD) == [("2026-01-01", song, 9, 1234)]
    assert await store.daily.history(GUILD) == {song: "2026-01-01"}

    # A lasting failure: the day is used up, nothing posted, the reason kept.
    previous = await store.daily.claim(GUILD, "2026-01-02", song, 9)
    assert previous == "2026-01-01"
    await store.daily.fail(GUILD, "2026-01-02", "no_permission")
    settings = await store.guilds.get(GUILD)
    assert (settings.daily_last_date, settings.daily_error) == ("2026-01-02", "no_permission")
    assert await store.daily.last_post(GUILD) == "2026-01-01"

    # A passing failure: the day opens again.
    previous = await store.daily.claim(GUILD, "2026-01-03", song, 9)
    await store.daily.fail(GUILD, "2026-01-03", "send_failed", previous=previous)
    assert (await store.guilds.get(GUILD)).daily_last_date == "2026-01-02"
    assert await store.daily.claim(GUILD, "2026-01-03", song, 9) == "2026-01-02"
