"""Typed-answer matching: fair to typos, strict about different words.

Both sides are normalised through `bot.catalog.text` (case, width, accents, punctuation,
`&`/and, zero-width characters), bracketed suffixes such as "(feat. Punch)" are dropped,
and spaces are ignored. Typo tolerance grows with the accepted name's length: no edit up
to 4 characters, one edit for 5-6, two from 7. The whole answer is compared, never a
substring, so "air" never counts for "chair".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from ..catalog.text import compact, strip_bracketed

MAX_ANSWER_LENGTH = 100
# Characters that render as nothing but are not whitespace or format characters to Unicode:
# the Hangul fillers and the blank Braille pattern, favourites for "empty" names and messages.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when `text` shows nothing: only whitespace, format (zero-width) or control characters,
    combining marks on nothing, or the invisible letters above. Such an answer is refused, not judged."""
    for ch in text:
        if ch.isspace() or ch in INVISIBLE:
            continue
        if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp"):
            continue
        return False
    return True


@lru_cache(maxsize=8192)
def answer_key(text: str) -> str:
    """The comparable form of a name or a typed answer."""
    return compact(strip_bracketed(text))


def allowed_edits(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 6:
        return 1
    return 2


def is_close(typed: str, target: str) -> bool:
    """`typed` and `target` are answer keys; the target's length sets the tolerance."""
    if not typed or not target:
        return False
    edits = allowed_edits(len(target))
    if edits == 0:
        return typed == target
    if abs(len(typed) - len(target)) > edits:
        return False
    return Levenshtein.distance(typed, target, score_cutoff=edits) <= edits


class AnswerMatcher:
    """Accepts a typed answer when it is close to any accepted name (every alias, Hangul too)."""

    __slots__ = ("_targets",)

    def __init__(self, accepted: Iterable[str]) -> None:
        targets: list[str] = []
        for name in accepted:
            for variant in (name, strip_bracketed(name)):
                key = compact(variant)
                if key and key not in targets:
                    targets.append(key)
        self._targets = tuple(targets)

    @property
    def targets(self) -> tuple[str, ...]:
        return self._targets

    def matches(self, typed: str) -> bool:
        key = answer_key(typed[:MAX_ANSWER_LENGTH * 2])
        if not key:
            return False
        if key in self._targets:
            return True
        return any(is_close(key, target) for target in self._targets)
