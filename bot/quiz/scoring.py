"""Points for one answer: a base for being right, a speed bonus and a streak bonus.

Elapsed time comes from the event loop's clock (the session measures it), so tests that
advance SimCord's clock see the same bonus a real game would. Every hint given before an
answer takes `HINT_COST` off its base points (the round message says so).
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_POINTS = 100
MAX_SPEED_BONUS = 50
STREAK_STEP = 10
MAX_STREAK_BONUS = 50
HINT_COST = 25
MAX_HINTS = 3


@dataclass(frozen=True, slots=True)
class Points:
    base: int
    speed: int
    streak: int

    @property
    def total(self) -> int:
        return self.base + self.speed + self.streak


NO_POINTS = Points(0, 0, 0)


def speed_bonus(elapsed: float, seconds: float) -> int:
    """Full bonus for an instant answer, falling linearly to 0 at the deadline."""
    if seconds <= 0:
        return 0
    left = max(0.0, min(1.0, 1.0 - max(elapsed, 0.0) / seconds))
    return round(MAX_SPEED_BONUS * left)


def streak_bonus(streak: int) -> int:
    """`streak` counts this answer: the second correct answer in a row earns the first step."""
    return min(MAX_STREAK_BONUS, STREAK_STEP * max(0, streak - 1))


def base_points(hints: int) -> int:
    """The base for a right answer after `hints` hints (never below a quarter of the base)."""
    return BASE_POINTS - HINT_COST * max(0, min(hints, MAX_HINTS))


def score_answer(correct: bool, elapsed: float, seconds: float, streak: int, hints: int = 0) -> Points:
    if not correct:
        return NO_POINTS
    return Points(base_points(hints), speed_bonus(elapsed, seconds), streak_bonus(streak))
