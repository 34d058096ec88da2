"""Points: base, speed bonus from elapsed time, streak bonus."""

from __future__ import annotations

from bot.quiz.scoring import BASE_POINTS, MAX_SPEED_BONUS, score_answer, speed_bonus, streak_bonus


def test_wrong_answers_score_nothing():
    assert score_answer(False, 0.0, 20, 3).total == 0


def test_speed_bonus_falls_linearly_to_zero():
    assert speed_bonus(0, 20) == MAX_SPEED_BONUS
    assert speed_bonus(10, 20) == MAX_SPEED_BONUS // 2
    assert speed_bonus(20, 20) == 0
    assert speed_bonus(25, 20) == 0
    assert speed_bonus(-1, 20) == MAX_SPEED_BONUS


def test_streak_bonus_from_the_second_in_a_row_and_capped():
    assert [streak_bonus(n) for n in (0, 1, 2, 3, 6, 50)] == [0, 0, 10, 20, 50, 50]


def test_total():
    points = score_answer(True, 5.0, 20, 2)
    assert (points.base, points.speed, points.streak) == (BASE_POINTS, 38, 10)
    assert points.total == 148
