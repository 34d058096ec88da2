"""A song typed in by a server admin (/catalog add), turned into a validated record.

Plain Python, no discord import. Validation is the import format's (records.record_from_mapping):
same lengths, no mentions, no markdown tricks, so a song added by hand exports and imports back.
"""

from __future__ import annotations

import re

from .records import SongRecord, record_from_mapping
from .validation import RecordProblem

_SEPARATORS = re.compile(r"\s*[;,]\s*")
_WORDS = re.compile(r"[\s/]+")
# A tag with one of these words is a musical style; any other tag is a mood ("longing", "healing").
# Whole words, so "trapped" is not "rap" nor "popular" "pop" ("piano ballad", "hip-hop" are styles).
STYLE_WORDS = frozenset({"ballad", "ballads", "pop", "rock", "r&b", "rnb", "hiphop", "rap", "acoustic", "orchestral",
                         "jazz", "folk", "edm", "piano", "indie", "trot", "soul", "dance", "electronic",
                         "발라드", "팝", "록", "힙합", "어쿠스틱", "재즈", "포크", "트로트", "댄스"})
STYLE_PHRASES = ("hip hop", "mid tempo")


def is_style(tag: str) -> bool:
    words = " ".join(_WORDS.split(tag.lower().replace("-", " ")))
    return bool(set(words.split()) & STYLE_WORDS) or any(f" {p} " in f" {words} " for p in STYLE_PHRASES)


def split_list(text: str | None) -> list[str]:
    """"Punch, Chanyeol" or "Punch; Chanyeol" -> ["Punch", "Chanyeol"]."""
    if not text:
        return []
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def split_tags(text: str | None) -> tuple[list[str], list[str]]:
    """(styles, moods) from a comma- or semicolon-separated list."""
    styles: list[str] = []
    moods: list[str] = []
    for tag in split_list(text):
        (styles if is_style(tag) else moods).append(tag)
    return styles, moods


def record_from_options(*, title: str, artists: str, drama: str, year: int | None = None,
                        description: str | None = None, tags: str | None = None, ballad: bool | None = None
                        ) -> tuple[SongRecord | None, list[RecordProblem]]:
    """The record for /catalog add, or None and the problems (line is always 1)."""
    styles, moods = split_tags(tags)
    if ballad is None:
        ballad = not styles or any("ballad" in s.lower() or "발라드" in s for s in styles)
    row = {"title": title, "artists": split_list(artists), "drama": drama, "year": year,
           "description": description or "", "styles": styles, "moods": moods, "ballad": ballad}
    problems: list[RecordProblem] = []
    record = record_from_mapping(row, 1, problems)
    return record, problems
