"""Normalisation shared by search and quiz matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalog.text import clip, compact, has_hangul, is_spaced_freely, normalize, spaced_words, strip_bracketed


@pytest.mark.parametrize(("raw", "expected"), [
    ("Crash  Landing on You!", "crash landing on you"),
    ("IT'S OKAY to Not Be Okay", "its okay to not be okay"),
    ("Hometown Cha-Cha-Cha", "hometown cha cha cha"),
    ("Chen & Punch", "chen and punch"),
    ("Go\u200bblin", "goblin"),                 # zero-width space
    ("\u202eGoblin\u202c", "goblin"),           # right-to-left override
    ("Beyoncé", "beyonce"),
    ("ＧＯＢＬＩＮ", "goblin"),                   # full width
    ("태양의 후예", "태양의 후예"),                 # Hangul survives accent stripping
    ("K.Will", "k will"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_compact_ignores_spacing():
    assert compact("Hometown Cha-Cha-Cha") == compact("hometown chachacha") == "hometownchachacha"
    assert compact("K.Will") == compact("kwill")


def test_strip_bracketed_suffixes():
    assert strip_bracketed("Stay with Me (feat. Punch)") == "Stay with Me"
    assert strip_bracketed("Orbit [The King OST]") == "Orbit"
    assert strip_bracketed("(only brackets)") == "(only brackets)"


def test_hangul_detection_and_clip():
    assert has_hangul("도깨비") and not has_hangul("Goblin")
    assert clip("a" * 200, 100) == "a" * 99 + "…" and len(clip("a" * 200, 100)) == 100
    assert clip("short", 100) == "short"


@given(st.text())
def test_normalize_is_idempotent_and_never_raises(text):
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_fast_path_gives_what_the_unicode_path_gives(text):
    """`normalize` skips the per-character Unicode look-ups for ASCII text (a quiz start
    normalizes every name it asks about); the result must be the same."""
    from bot.catalog.text import _normalize_unicode

    assert normalize(text) == _normalize_unicode(text)


def test_a_hangul_names_words_are_also_found_written_together():
    assert spaced_words("더 킹 영원의 군주") == ["더", "킹", "영원의", "군주", "킹영원의군주", "영원의군주"]
    assert spaced_words("crash landing on you") == ["crash", "landing", "on", "you"]  # Latin: words only
    assert spaced_words("사랑의 불시착") == ["사랑의", "불시착"]  # the whole name without spaces is compact's
    assert spaced_words("도깨비") == ["도깨비"]
    assert is_spaced_freely("차차 차") and not is_spaced_freely("cha cha")
