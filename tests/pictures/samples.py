"""Sample data for the pictures' tests, the README's pictures and the benchmark: ten members with
Korean, Latin, emoji-only and over-long names."""

from __future__ import annotations

from bot.pictures import Entry, Leaderboard, Standings, Stats, Team, TopicLine

NAMES = ("김민지", "Lee Jae-won", "박서준 ✨", "🎵🎶", "Alexandria Montgomery-Featherstonehaugh", "이도현", "Sophie",
         "정해인", "minji_kpop", "한소희")
SERVER = "드라마 OST 클럽"


def entries(count: int = 10, *, lives: bool = False) -> tuple[Entry, ...]:
    return tuple(Entry(rank, NAMES[(rank - 1) % len(NAMES)], 10**17 + rank * 7919, 1500 - rank * 97,
                       games=14 - rank % 12, correct=90 - rank, answered=110,
                       lives=max(0, 3 - rank) if lives else None) for rank in range(1, count + 1))


def leaderboard(lang: str = "en", *, you: bool = True, measure: str = "points") -> Leaderboard:
    me = Entry(42, "나" if lang == "ko" else "Me", 5, 120, 3, 10, 20) if you else None
    return Leaderboard(SERVER, lang, "week", measure, entries(), me)


def stats(lang: str = "en", *, name: str = "김민지 🎧") -> Stats:
    topics = (TopicLine("dramas", 120, 100), TopicLine("singers", 90, 60), TopicLine("facts", 70, 40),
              TopicLine("years", 60, 55), TopicLine("actors", 40, 35))
    return Stats(SERVER, lang, name, 10**17 + 1, 42, 380, 290, 14, 12840, 9, topics,
                 (120, 0, 860, 1320, 400, 980, 1500, 610))


def standings(lang: str = "en", style: str = "classic", count: int = 8) -> Standings:
    players = entries(count, lives=style == "elimination")
    teams = (Team(1, 2100, 20, players[0:5]), Team(0, 1800, 18, players[5:8]), Team(2, 0, 0, ()))
    return Standings(SERVER, lang, style, players, teams if style == "teams" else ())
