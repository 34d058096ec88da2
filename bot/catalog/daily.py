"""Song of the day: when the next post is due in a server's timezone, and which song it is.

Plain Python, no discord import. Every function takes the current instant as an argument, so
the caller decides which clock counts (discord.utils.utcnow(), which SimCord moves too).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

AVOID_DAYS = 30


def parse_timezone(name: str) -> ZoneInfo | None:
    """The IANA zone called `name` (any case), or None when there is no such zone."""
    name = name.strip()
    if not name or len(name) > 64:
        return None
    canonical = _zones_by_fold().get(name.casefold())
    if canonical is None:
        return None
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1)
def _zones_by_fold() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


@lru_cache(maxsize=1)
def _listed_zones() -> tuple[str, ...]:
    """The zones autocomplete offers, sorted once (not on every keystroke)."""
    return tuple(sorted(z for z in _zones_by_fold().values() if "/" in z or z == "UTC"))


POPULAR_ZONES = ("UTC", "Asia/Seoul", "Asia/Tokyo", "Asia/Manila", "Asia/Jakarta", "Asia/Singapore",
                 "Europe/London", "Europe/Paris", "America/New_York", "America/Los_Angeles",
                 "America/Sao_Paulo", "Australia/Sydney")


def timezone_suggestions(query: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those starting with the query first, then containing it."""
    folded = query.strip().casefold().replace(" ", "_")
    if not folded:
        return [z for z in POPULAR_ZONES if z.casefold() in _zones_by_fold()][:limit]
    zones = _listed_zones()
    starts = [z for z in zones if z.casefold().startswith(folded) or z.casefold().split("/")[-1].startswith(folded)]
    contains = [z for z in zones if folded in z.casefold() and z not in starts]
    return (starts + contains)[:limit]


def local_date(now: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return now.astimezone(zone).date()


def next_post_at(now: dt.datetime, hour: int, zone: dt.tzinfo, last_date: str | None) -> dt.datetime:
    """When the next post is due (aware, in UTC); `now` itself when one is due already.

    A day is due from `hour` o'clock local time until midnight, unless it was handled
    (`last_date`, the server's local YYYY-MM-DD). So a bot that was down at the hour posts
    when it comes back the same day, and never twice.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    day = now.astimezone(zone).date()
    if last_date is not None and last_date >= day.isoformat():
        day += dt.timedelta(days=1)
    due = dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)
    return max(due, now.astimezone(dt.UTC))


def is_due(now: dt.datetime, hour: int, zone: dt.tzinfo, last_date: str | None) -> bool:
    return next_post_at(now, hour, zone, last_date) <= now


def first_handled_date(now: dt.datetime, hour: int, zone: dt.tzinfo, last_posted: str | None) -> str | None:
    """What to store as the handled date when an admin (re)configures the daily post.

    If today's hour has passed, today counts as handled: the first post is tomorrow at the
    hour, not right now. Otherwise the last real post stands (a post today stays the only one).
    """
    local = now.astimezone(zone)
    today = local.date().isoformat()
    if local.hour >= hour:
        return max(today, last_posted or "")
    return last_posted


def pick_song(candidates: Iterable[int], last_posted: Mapping[int, str], today: dt.date,
              rng: random.Random, avoid_days: int = AVOID_DAYS) -> int | None:
    """A song not posted in the last `avoid_days` days; when every song was, the one posted
    longest ago (ties broken by `rng`). None when there are no candidates."""
    pool: Sequence[int] = sorted(set(candidates))
    if not pool:
        return None
    cutoff = (today - dt.timedelta(days=avoid_days)).isoformat()
    fresh = [song for song in pool if last_posted.get(song, "") <= cutoff]
    if fresh:
        return rng.choice(fresh)
    oldest = min(last_posted[song] for song in pool)
    return rng.choice([song for song in pool if last_posted[song] == oldest])


def day_rng(guild_id: int, day: str) -> random.Random:
    """The same choice for the same server and day (a retry after a passing fault repeats it)."""
    return random.Random(f"{guild_id}:{day}")
