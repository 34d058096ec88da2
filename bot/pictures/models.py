"""What a picture is drawn from: plain, frozen data (no Discord objects), so a picture is a function of
its data, and the data's digest is the version it is cached under."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One member's line: their rank, display name (as the bot knows it; never a mention), id (for the
    colour of their circle) and the numbers shown."""
    rank: int
    name: str
    member_id: int
    value: int                      # the measure ranked by (points, wins, correct answers)
    games: int = 0
    correct: int = 0
    answered: int = 0
    lives: int | None = None        # elimination games: lives left (0: out)


@dataclass(frozen=True, slots=True)
class Leaderboard:
    server: str
    lang: str
    period: str                     # "week", "month" or "all"
    measure: str                    # "points", "wins" or "correct"
    entries: tuple[Entry, ...]      # the top ten
    you: Entry | None = None        # the asking member, when below the top ten


@dataclass(frozen=True, slots=True)
class TopicLine:
    topic: str                      # a quiz topic key ("dramas", "years", ...)
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class Stats:
    server: str
    lang: str
    name: str
    member_id: int
    games: int
    answered: int
    correct: int
    best_streak: int
    points: int
    wins: int
    topics: tuple[TopicLine, ...] = ()
    weeks: tuple[int, ...] = ()     # points scored each week, oldest first, the current week last


@dataclass(frozen=True, slots=True)
class Team:
    team: int                       # 0..3: red, blue, green, yellow
    points: int
    correct: int
    members: tuple[Entry, ...]      # best first


@dataclass(frozen=True, slots=True)
class Standings:
    server: str
    lang: str
    style: str                      # "classic", "elimination" or "teams"
    entries: tuple[Entry, ...]      # every player, best first
    teams: tuple[Team, ...] = ()


Picture = Leaderboard | Stats | Standings


def version(data: Picture) -> str:
    """A digest of everything the picture shows: equal data, equal version."""
    return hashlib.blake2b(repr(data).encode(), digest_size=16).hexdigest()


def percent(correct: int, answered: int) -> str:
    return f"{round(100 * correct / answered)}%" if answered else "-"
