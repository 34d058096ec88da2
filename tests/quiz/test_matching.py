"""Typed answers: normalisation, every alias, typo tolerance by length, no substring looseness."""

from __future__ import annotations

import pytest

from bot.quiz.matching import AnswerMatcher, allowed_edits, answer_key, is_blank, is_close

GOBLIN = AnswerMatcher(["Goblin", "도깨비", "Guardian: The Lonely and Great God", "Guardian", "Dokkaebi"])


@pytest.mark.parametrize("typed", [
    "goblin", "  GOBLIN!! ", "도깨비", "guardian the lonely & great god", "Guardian: The Lonely and Great God",
    "dokkaebi", "Go\u200bblin", "Goblin (2016)", "Gobln", "Goblim", "Guardian the lonly and great gd",
])
def test_accepted(typed):
    assert GOBLIN.matches(typed)


@pytest.mark.parametrize("typed", ["", "   ", "gob", "goblins and more", "Guard", "도깨", "Secret Garden", "!!!"])
def test_rejected(typed):
    assert not GOBLIN.matches(typed)


def test_typo_tolerance_grows_with_length():
    assert [allowed_edits(n) for n in (1, 4, 5, 6, 7, 20)] == [0, 0, 1, 1, 2, 2]
    assert not AnswerMatcher(["Orbi"]).matches("Orbj")          # 4 characters: exact only
    assert AnswerMatcher(["Orbit"]).matches("Orbt")              # 5: one edit
    assert not AnswerMatcher(["Orbit"]).matches("Obt")           # ...not two
    assert AnswerMatcher(["Everytime"]).matches("evrytme")       # 9: two edits
    assert not AnswerMatcher(["Everytime"]).matches("evrytm")    # ...not three


def test_no_substring_looseness():
    assert not AnswerMatcher(["chair"]).matches("air")
    assert not AnswerMatcher(["air"]).matches("chair")
    assert not AnswerMatcher(["Stay with Me"]).matches("Stay")
    assert not is_close("with", "stay with me")


def test_normalisation_and_brackets():
    assert answer_key("Stay With Me (feat. Punch) [Goblin OST]") == answer_key("stay with me")
    assert answer_key("You & I") == answer_key("you and i")
    assert AnswerMatcher(["It's Okay to Not Be Okay"]).matches("its okay to not be okay")
    assert AnswerMatcher(["K.Will"]).matches("kwill")
    assert AnswerMatcher(["다시 난, 여기"]).matches("다시난여기")


def test_hangul_typo_counts_syllables():
    # 7 syllables: two edits allowed
    assert AnswerMatcher(["첫눈처럼 너에게 가겠다"]).matches("첫눈처럼 너에게 가겟다")
    # 3 syllables: exact only
    assert not AnswerMatcher(["도깨비"]).matches("도께비")


@pytest.mark.parametrize("text", ["a", "도", "?", "1", "é"])
def test_visible_answers_are_not_blank(text):
    assert not is_blank(text)
