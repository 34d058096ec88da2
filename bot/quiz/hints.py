"""Hints for typed rounds: the answer with some of its letters uncovered.

Spaces, punctuation and symbols show from the first hint, so players see the answer's shape;
letters and digits (a Hangul syllable counts as one letter) are masked. Each hint uncovers more,
first the initial of each word, then other letters in an order fixed by the answer itself (the same
hint after a restart), but never more than half of the letters: a one-letter answer shows none,
and no hint ever shows the whole answer.
"""

from __future__ import annotations

import math
import random

from .scoring import MAX_HINTS

MASK = "＿"


def is_letter(ch: str) -> bool:
    return ch.isalnum()


def reveal_order(text: str) -> list[int]:
    """Positions of `text`'s letters in the order hints uncover them."""
    letters = [i for i, ch in enumerate(text) if is_letter(ch)]
    initials = [i for i in letters if i == 0 or not is_letter(text[i - 1])]
    rest = [i for i in letters if i not in set(initials)]
    random.Random(text).shuffle(rest)  # a str seed is hashed with SHA-512: the same order in every process
    return initials + rest


def revealed_count(letters: int, level: int) -> int:
    """How many letters hint `level` (1..MAX_HINTS) uncovers: a growing share of at most half."""
    cap = letters // 2
    level = max(0, min(level, MAX_HINTS))
    return min(cap, math.ceil(cap * level / MAX_HINTS))


def hint_text(text: str, level: int) -> str:
    """`text` with the letters that hint `level` leaves covered masked."""
    order = reveal_order(text)
    shown = set(order[:revealed_count(len(order), level)])
    return "".join(ch if (i in shown or not is_letter(ch)) else MASK for i, ch in enumerate(text))
