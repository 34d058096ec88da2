"""Near-duplicate detection for songs a server adds by hand.

"Did you mean …?" when the new song's title is (almost) the title of a song the server already
sees and the drama or an artist matches too. A same title in another drama with other singers
is a different song ("Stay" is a title in many OSTs). Plain Python, no discord import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from .models import Song
from .text import compact, strip_bracketed

TITLE_CUTOFF = 88.0
OTHER_CUTOFF = 80.0
MAX_CANDIDATES = 10
_BRACKETS = re.compile(r"[\(\[\{（【]")  # what strip_bracketed removes starts with one of these


def _key(text: str) -> str:
    return compact(strip_bracketed(text))


def similarity(a: str, b: str) -> float:
    """0..100; 100 when the names are equal after normalising and dropping brackets."""
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return 0.0
    return float(fuzz.ratio(ka, kb))


def title_candidates(titles: Sequence[str], names: Iterable[tuple[int, str, str]],
                     limit: int = MAX_CANDIDATES) -> list[int]:
    """Song ids whose title (or alias) is close to one of `titles`, best first.

    `names` are (song id, name, the name's stored `compact` form): only names with brackets are
    normalised again, so a big catalog is not re-normalised on every addition.
    """
    keys = [k for k in dict.fromkeys(_key(t) for t in titles) if k]
    if not keys:
        return []
    owners: list[int] = []
    choices: list[str] = []
    for song_id, name, norm in names:
        owners.append(song_id)
        choices.append(_key(name) if _BRACKETS.search(name) else norm)
    best: dict[int, float] = {}
    for key in keys:
        for _choice, score, index in process.extract(key, choices, scorer=fuzz.ratio,
                                                      score_cutoff=TITLE_CUTOFF, limit=limit * 3):
            song_id = owners[index]
            best[song_id] = max(best.get(song_id, 0.0), float(score))
    return [song_id for song_id, _ in sorted(best.items(), key=lambda item: (-item[1], item[0]))][:limit]


def is_near_duplicate(titles: Sequence[str], drama: str, artists: Sequence[str], song: Song) -> bool:
    """The same song, by title, plus the drama or one of the artists."""
    title_score = max((similarity(a, b) for a in titles for b in song.all_titles), default=0.0)
    if title_score < TITLE_CUTOFF:
        return False
    drama_score = max((similarity(drama, name) for name in song.drama.all_names), default=0.0)
    if drama_score >= OTHER_CUTOFF:
        return True
    sung_by = [name for credit in song.credits for name in (credit.name, credit.hangul) if name]
    return any(similarity(a, b) >= OTHER_CUTOFF for a in artists for b in sung_by)


def near_duplicates(titles: Sequence[str], drama: str, artists: Sequence[str], songs: Iterable[Song]) -> list[Song]:
    return [song for song in songs if is_near_duplicate(titles, drama, artists, song)]
