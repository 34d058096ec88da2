"""Song similarity for /recommend, with a one-line reason for every pick.

A candidate scores by what it shares with the given song (or, for a drama, with any of its
songs): the drama, an artist, a group, style and mood tags, and description words. Reasons
are structured (`Reason(kind, values)`) so the cog can word them in the reader's language.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Song
from .text import normalize

W_DRAMA = 3.0
W_ARTIST = 4.0
W_GROUP = 2.0
W_STYLE = 2.0
W_MOOD = 2.5
W_DESCRIPTION = 2.0
W_BALLAD = 0.5
# Tags so common they say little about a song ("ballad") count for less and are never a reason alone.
GENERIC_STYLES = frozenset({"ballad"})

_STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "her", "his", "in", "into", "is",
    "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "was", "were", "who", "with",
    "about", "while", "which", "whose", "than", "then", "so", "such", "song", "songs", "ost", "track", "drama",
    "dramas", "k", "soundtrack", "one", "ones", "s", "sung", "sings", "sing", "voice", "voices", "also", "more",
    "most", "much", "many", "very",
])


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str                  # "drama", "artist", "group", "style_mood", "style", "mood", "description"
    values: tuple[str, ...] = ()  # drama and artist: (name, Hangul name or "")


@dataclass(frozen=True, slots=True)
class Recommendation:
    song: Song
    score: float
    reasons: tuple[Reason, ...]


@functools.lru_cache(maxsize=16_384)
def description_words(text: str) -> frozenset[str]:
    """The telling words of a description (cached: the same candidates come up again and again,
    and normalising text was most of /recommend's cost, see BENCHMARKS.md)."""
    return frozenset(w for w in normalize(text).split() if len(w) > 2 and w not in _STOPWORDS and not w.isdigit())


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _groups(song: Song) -> dict[str, str]:
    """The song's groups (a group credited directly counts as itself), each with its Hangul name
    ("" when unknown)."""
    names = {g: g_ko if g_ko != g else "" for c in song.credits
             for g, g_ko in zip(c.groups, c.groups_ko or c.groups, strict=False)}
    return names | {c.name: c.hangul or "" for c in song.credits}


def _pick_style(styles: set[str]) -> str | None:
    specific = sorted(s for s in styles if s not in GENERIC_STYLES)
    return specific[0] if specific else (sorted(styles)[0] if styles else None)


def score_pair(target: Song, candidate: Song) -> tuple[float, list[Reason]]:
    """How alike two songs are, and why (strongest reason first)."""
    score = 0.0
    reasons: list[tuple[float, Reason]] = []
    if candidate.drama.id == target.drama.id:
        score += W_DRAMA
        reasons.append((W_DRAMA, Reason("drama", (target.drama.name, target.drama.hangul or ""))))
    shared_artists = [c for c in candidate.credits if c.artist_id in {t.artist_id for t in target.credits}]
    if shared_artists:
        score += W_ARTIST
        reasons.append((W_ARTIST + 0.1, Reason("artist", (shared_artists[0].name, shared_artists[0].hangul or ""))))
    else:
        target_groups = _groups(target)
        shared_groups = sorted(_groups(candidate).keys() & target_groups.keys())
        if shared_groups:
            score += W_GROUP
            reasons.append((W_GROUP, Reason("group", (shared_groups[0], target_groups[shared_groups[0]]))))
    styles = set(candidate.styles) & set(target.styles)
    moods = set(candidate.moods) & set(target.moods)
    style_score = W_STYLE * _jaccard(set(candidate.styles), set(target.styles))
    specific = styles - GENERIC_STYLES
    if not specific:
        style_score *= 0.5
    mood_score = W_MOOD * _jaccard(set(candidate.moods), set(target.moods))
    score += style_score + mood_score
    style = _pick_style(specific) if specific else None
    mood = sorted(moods)[0] if moods else None
    if style and mood:
        reasons.append((style_score + mood_score, Reason("style_mood", (style, mood))))
    elif mood:
        reasons.append((mood_score, Reason("mood", tuple(sorted(moods)[:2]))))
    elif style:
        reasons.append((style_score, Reason("style", (style,))))
    candidate_words, target_words = description_words(candidate.description), description_words(target.description)
    words = candidate_words & target_words
    description_score = W_DESCRIPTION * _jaccard(candidate_words, target_words)
    score += description_score
    if words and description_score > 0.2:
        reasons.append((description_score, Reason("description", tuple(sorted(words)[:2]))))
    if candidate.is_ballad and target.is_ballad:
        score += W_BALLAD
    if not reasons and candidate.is_ballad and target.is_ballad:
        reasons.append((0.0, Reason("ballad")))
    reasons.sort(key=lambda pair: -pair[0])
    return score, [r for _, r in reasons]


def recommend(targets: Sequence[Song], candidates: Sequence[Song], limit: int = 5) -> list[Recommendation]:
    """Up to `limit` candidates most like any of `targets`; never one of the targets."""
    excluded = {t.id for t in targets}
    picks: list[Recommendation] = []
    for candidate in candidates:
        if candidate.id in excluded:
            continue
        best: tuple[float, list[Reason]] = (0.0, [])
        for target in targets:
            scored = score_pair(target, candidate)
            if scored[0] > best[0]:
                best = scored
        if best[0] > 0:
            picks.append(Recommendation(candidate, round(best[0], 3), tuple(best[1][:2])))
    picks.sort(key=lambda r: (-r.score, r.song.id))
    return picks[:limit]
