"""bot.quiz.hints: a hint uncovers more at each level, never half the letters nor the whole answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.quiz.hints import MASK, hint_text, is_letter
from bot.quiz.scoring import MAX_HINTS


@pytest.mark.parametrize("answer", ["Goblin", "도깨비", "IU", "A", "Crash Landing on You", "2016", "My Love (feat. X)"])
def test_hints_grow_but_never_show_more_than_half_or_the_whole_answer(answer):
    letters = sum(is_letter(ch) for ch in answer)
    shown_before = -1
    for level in range(1, MAX_HINTS + 1):
        hint = hint_text(answer, level)
        assert len(hint) == len(answer)
        shown = sum(1 for a, h in zip(answer, hint, strict=True) if is_letter(a) and h == a)
        assert shown <= letters // 2 and hint != answer
        assert shown >= shown_before  # each hint uncovers at least as much as the one before
        shown_before = shown
        # spaces and punctuation are shown from the first hint
        assert all(h == a for a, h in zip(answer, hint, strict=True) if not is_letter(a))
    assert hint_text("Crash Landing on You", 1).startswith("C")  # word initials first
    assert hint_text("도깨비", 3).count(MASK) == 2              # Hangul syllables are letters: 1 of 3 shown


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=MAX_HINTS))
def test_no_hint_ever_gives_the_answer_away(answer, level):
    hint = hint_text(answer, level)
    letters = [i for i, ch in enumerate(answer) if is_letter(ch)]
    shown = [i for i in letters if hint[i] == answer[i]]
    assert len(shown) <= len(letters) // 2
    assert hint_text(answer, level) == hint  # the same hint every time (after a restart too)
