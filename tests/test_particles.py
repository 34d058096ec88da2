"""Korean particles follow the word before them, in every Korean message that takes a name."""

from __future__ import annotations

import re

import pytest

from bot.i18n import catalog, t
from bot.i18n.particles import MARKERS, attach, final_consonant

# (name, ends on a consonant when read aloud)
NAMES = [("오징어 게임", True), ("도깨비", False), ("Orbit", True), ("Stay with Me", False), ("Everytime", True),
         ("EXO", False), ("2016", True), ("1", True), ("2", False), ("Goblin", True), ("This Love", False),
         ("손예진", True), ("도깨비 (Goblin)", False), ("K.Will", True), ("BTS", False), ("Always", False)]


@pytest.mark.parametrize(("name", "consonant"), NAMES)
def test_each_particle_follows_the_last_syllable(name, consonant):
    assert bool(final_consonant(name)) is consonant
    assert attach(f"{name}(이)라는") == name + ("이라는" if consonant else "라는")
    assert attach(f"{name}은(는)") == name + ("은" if consonant else "는")
    assert attach(f"{name}이(가)") == name + ("이" if consonant else "가")
    assert attach(f"{name}을(를)") == name + ("을" if consonant else "를")
    assert attach(f"{name}와(과)") == name + ("과" if consonant else "와")


def test_rieul_takes_ro_and_markdown_is_skipped():
    assert attach("서울(으)로") == "서울로" and attach("게임(으)로") == "게임으로"
    assert attach("도깨비(으)로") == "도깨비로"
    assert attach("**Orbit**(이)라는") == "**Orbit**이라는"
    assert attach("**오징어 게임**(이)라는 곡") == "**오징어 게임**이라는 곡"  # not "오징어 게임라는"


# A placeholder followed (through markdown) by a particle that depends on it.
_BARE = re.compile(r"\{(\w+)\}[*_]*(?:이라는|라는|[은는이가을를와과](?=\s|$)|으로|로(?=\s))")
_MARKED = re.compile(r"\{(\w+)\}[*_]*(" + MARKERS.pattern + ")")


def test_no_korean_message_puts_a_fixed_particle_after_a_name():
    bare = {key: text for key, text in catalog()["ko"].items() if _BARE.search(text)}
    assert not bare, f"write both forms, e.g. {{song}}을(를): {bare}"


@pytest.mark.parametrize("key", sorted(k for k, v in catalog()["ko"].items() if _MARKED.search(v)))
@pytest.mark.parametrize(("name", "consonant"), [("오징어 게임", True), ("도깨비", False), ("Orbit", True),
                                                 ("Stay with Me", False)])
def test_every_korean_message_with_a_name_reads_right(key, name, consonant):
    text = catalog()["ko"][key]
    params = {p: name for p in re.findall(r"\{(\w+)", text)}
    out = t(key, "ko", **params)
    assert not MARKERS.search(out), out
    for match in _MARKED.finditer(text):
        marker = match[2]
        if marker == "(으)로":
            expected = "으로" if consonant else "로"
        else:
            pairs = {"은(는)": "은는", "는(은)": "은는", "이(가)": "이가", "가(이)": "이가", "을(를)": "을를",
                     "를(을)": "을를", "과(와)": "과와", "와(과)": "과와", "(이)": "이"}[marker]
            expected = pairs[0] if consonant else pairs[1:] if len(pairs) > 1 else ""
        assert name + re.sub(r"[^*_]", "", match[0][len(match[1]) + 2:-len(marker)] or "") + expected in out, out
