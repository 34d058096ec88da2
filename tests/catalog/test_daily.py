"""bot.catalog.daily, the song of the day domain: when the next post is due, and which song."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.catalog.daily import first_handled_date, is_due, next_post_at, parse_timezone, pick_song, timezone_suggestions
from tests.helpers import utc

SEOUL = parse_timezone("Asia/Seoul")
NEW_YORK = parse_timezone("america/new_york")




def test_parse_timezone_accepts_any_case_and_refuses_nonsense():
    assert SEOUL is not None and SEOUL.key == "Asia/Seoul"
    assert NEW_YORK is not None and NEW_YORK.key == "America/New_York"
    for bad in ("", "Mars/Base", "../etc/passwd", "Asia/" + "x" * 80, "UTC; DROP TABLE"):
        assert parse_timezone(bad) is None


def test_timezone_suggestions_fit_discord():
    assert timezone_suggestions("seoul")[0] == "Asia/Seoul"
    assert "Europe/London" in timezone_suggestions("lond")
    assert len(timezone_suggestions("")) <= 25 and "UTC" in timezone_suggestions("")
    assert all(len(z) <= 100 for z in timezone_suggestions("a"))
    assert timezone_suggestions("new york")[0] == "America/New_York"


def test_next_post_is_today_at_the_hour_in_the_servers_zone():
    now = utc(2026, 1, 1, 0, 0)  # 09:00 in Seoul
    assert next_post_at(now, 10, SEOUL, None) == utc(2026, 1, 1, 1, 0)
    assert not is_due(now, 10, SEOUL, None)
    assert is_due(utc(2026, 1, 1, 1, 0), 10, SEOUL, None)


def test_a_handled_day_waits_for_tomorrow():
    now = utc(2026, 1, 1, 3, 0)  # 12:00 in Seoul
    assert next_post_at(now, 10, SEOUL, "2026-01-01") == utc(2026, 1, 2, 1, 0)
    # An unhandled day whose hour passed (the bot was down) is due now.
    assert next_post_at(now, 10, SEOUL, "2025-12-31") == now


def test_the_local_date_decides_not_utc():
    # 16:00 UTC on Jan 1 is already Jan 2 in Seoul.
    now = utc(2026, 1, 1, 16, 0)
    assert next_post_at(now, 10, SEOUL, "2026-01-01") == utc(2026, 1, 2, 1, 0)
    assert next_post_at(now, 0, SEOUL, "2026-01-01") == now


def test_daylight_saving_days_keep_the_local_hour():
    # New York springs forward on 2026-03-08: 09:00 local is 13:00 UTC after, 14:00 UTC before.
    before = next_post_at(utc(2026, 3, 7, 0, 0), 9, NEW_YORK, "2026-03-06")
    after = next_post_at(utc(2026, 3, 8, 0, 0), 9, NEW_YORK, "2026-03-07")
    assert (before.hour, after.hour) == (14, 13)
    # 02:00 does not exist that day; the post still comes, once.
    gap = next_post_at(utc(2026, 3, 8, 5, 0), 2, NEW_YORK, "2026-03-07")
    assert gap.date() == dt.date(2026, 3, 8)


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        next_post_at(dt.datetime(2026, 1, 1), 9, SEOUL, None)


def test_first_handled_date_when_configuring():
    at_noon_seoul = utc(2026, 1, 1, 3, 0)
    assert first_handled_date(at_noon_seoul, 10, SEOUL, None) == "2026-01-01"   # first post tomorrow
    assert first_handled_date(at_noon_seoul, 20, SEOUL, None) is None            # later today
    assert first_handled_date(at_noon_seoul, 20, SEOUL, "2026-01-01") == "2026-01-01"  # posted already


def test_pick_song_avoids_the_last_thirty_days():
    today = dt.date(2026, 2, 1)
    recent = {1: "2026-01-31", 2: "2026-01-10", 3: "2026-01-02"}  # 3 was 30 days ago: allowed again
    picks = {pick_song([1, 2, 3, 4], recent, today, random.Random(seed)) for seed in range(40)}
    assert picks == {3, 4}


def test_pick_song_when_every_song_was_recent_takes_the_oldest():
    today = dt.date(2026, 2, 1)
    recent = {1: "2026-01-31", 2: "2026-01-20", 3: "2026-01-25"}
    assert pick_song([1, 2, 3], recent, today, random.Random(0)) == 2
    assert pick_song([], recent, today, random.Random(0)) is None


def test_thirty_days_without_repeats_from_a_pool_of_forty():
    history: dict[int, str] = {}
    day = dt.date(2026, 1, 1)
    picked = []
    for _ in range(30):
        song = pick_song(range(40), history, day, random.Random(day.isoformat()))
        picked.append(song)
        history[song] = day.isoformat()
        day += dt.timedelta(days=1)
    assert len(set(picked)) == 30
