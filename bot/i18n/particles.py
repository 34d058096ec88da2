"""Korean particles that follow the word before them.

Messages write both forms of a particle after a name, `{song}을(를)`, `{query}(이)라는`,
`{drama}와(과)`, `{answer}(으)로`; `attach` picks the right one from how the word before it
ends: a final consonant (batchim) or a vowel, read aloud as a Korean reader would, also for
Latin names ("Orbit이라는", "Stay with Me라는"), acronyms (EXO, BTS) and digits ("2016년").
A trailing bracket ("도깨비 (Goblin)을") is skipped: the particle agrees with the word before it.
"""

from __future__ import annotations

import re

# Both forms, the one after a consonant first: the marker as written -> (after consonant, after vowel).
_PAIRS = {
    "은(는)": ("은", "는"), "는(은)": ("은", "는"),
    "이(가)": ("이", "가"), "가(이)": ("이", "가"),
    "을(를)": ("을", "를"), "를(을)": ("을", "를"),
    "과(와)": ("과", "와"), "와(과)": ("과", "와"),
    "(이)": ("이", ""),
}
MARKERS = re.compile(r"\(으\)로|" + "|".join(re.escape(m) for m in _PAIRS))
# Markdown, quotes and spaces that may stand between a name and its particle.
_TRAILING = "*_~`|'\"”’」』》) \u200b"
_DIGITS = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
# Letters read one by one (EXO, BTS, SG): only L, M, N and R end on a consonant (엘, 엠, 엔, 알).
_LETTERS = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}
_VOWELS = set("aeiou")


def _strip_tail(text: str) -> str:
    """The text up to the word the particle attaches to: markdown, quotes and a bracketed
    note at the end ("도깨비 (Goblin)") are skipped."""
    while True:
        stripped = text.rstrip(_TRAILING.replace(")", ""))
        if stripped.endswith(")") and "(" in stripped:
            inner_start = stripped.rfind("(")
            before = stripped[:inner_start].rstrip()
            if before:
                text = before
                continue
            stripped = stripped[inner_start + 1:-1]
        if stripped == text:
            return text
        text = stripped


def _latin_final(word: str) -> str:
    """The final consonant ("" for none) of a Latin-letter word as read in Korean."""
    if (word.isupper() and len(word) <= 5) or len(word) == 1:
        return _LETTERS.get(word[-1].lower(), "")
    w = word.lower()
    last = w[-1]
    if last in "mn":
        return "ㄴ"
    if last == "l":
        return "ㄹ"
    if w.endswith("ng"):
        return "ㅇ"
    if w.endswith("ck"):
        return "ㄱ"
    if last in "ptkg" and len(w) >= 2 and w[-2] in _VOWELS and (len(w) == 2 or w[-3] not in _VOWELS):
        return "ㄱ"  # a short vowel before it: "Orbit" 오빗, "pop" 팝, "hip-hop" 힙합
    if last == "e" and len(w) >= 3 and w[-2] not in _VOWELS and w[-3] in _VOWELS:
        # a silent e: "time" 타임, "line" 라인, "tale" 테일; "love" 러브, "side" 사이드
        return {"m": "ㅁ", "n": "ㄴ", "l": "ㄹ"}.get(w[-2], "")
    if w.endswith("le") and len(w) >= 3 and w[-3] not in _VOWELS:
        return "ㄹ"  # "table" 테이블
    return ""


def final_consonant(text: str) -> str | None:
    """The final consonant of the last word ("" when it ends on a vowel), or None when there
    is nothing to read (no letter or digit)."""
    text = _strip_tail(text)
    match = re.search(r"([0-9]+|[A-Za-z]+|[\uac00-\ud7a3]|[\u3131-\u314e])[^0-9A-Za-z\uac00-\ud7a3\u3131-\u318e]*$",
                      text)
    if not match:
        return None
    token = match[1]
    last = token[-1]
    if "\uac00" <= last <= "\ud7a3":
        jong = (ord(last) - 0xAC00) % 28
        return "" if jong == 0 else ("ㄹ" if jong == 8 else "ㄱ")
    if "\u3131" <= last <= "\u314e":
        return "ㄱ"
    if token.isdigit():
        stripped = token.rstrip("0")
        if stripped != token:  # 10 십, 100 백, 1000 천, 10000 만, 0 영
            return "ㄱ"
        return _DIGITS[last]
    return _latin_final(token)


def choose(before: str, marker: str) -> str:
    """The particle for `marker` after `before`."""
    final = final_consonant(before)
    if final is None:
        final = "ㄱ"  # nothing readable: the consonant form, which reads well after a symbol
    if marker == "(으)로":
        return "으로" if final and final != "ㄹ" else "로"
    after_consonant, after_vowel = _PAIRS[marker]
    return after_consonant if final else after_vowel


def attach(text: str) -> str:
    """Every particle marker in `text` resolved against the word before it."""
    if "(" not in text:
        return text
    out: list[str] = []
    last = 0
    for match in MARKERS.finditer(text):
        out.append(text[last:match.start()])
        out.append(choose("".join(out), match[0]))
        last = match.end()
    out.append(text[last:])
    return "".join(out)
